import { test, expect } from './base';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hydrated, signUp } from './helpers';

/** A platform's webhook body from fixtures/platforms (sources in its README), as bytes. */
function platformFixture(name: string): Buffer {
  return readFileSync(join(__dirname, '..', '..', 'fixtures', 'platforms', `${name}.json`));
}

/** `X-Retell-Signature` as Retell computes it: HMAC-SHA256 of the body then the timestamp. */
function retellSignature(body: Buffer, apiKey: string, at = Date.now()): string {
  const digest = createHmac('sha256', apiKey).update(Buffer.concat([body, Buffer.from(String(at))])).digest('hex');
  return `v=${at},d=${digest}`;
}

test('a Retell integration set up in Settings takes a signed Retell call and shows Retell\'s summary', async ({ page, request }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signUp(page, 'Rita');
  await page.goto('/settings');
  await hydrated(page);

  // Connect Retell with its API key; the intake URL appears, the key never again.
  const apiKey = `key_${Date.now()}`;
  const card = page.getByTestId('integration-retell');
  await expect(card).toContainText('not connected');
  await card.getByLabel('Retell secret').fill(apiKey);
  await card.getByRole('button', { name: 'Connect Retell' }).click();
  const urlCode = page.getByTestId('intake-url-retell');
  await expect(urlCode).toBeVisible();
  const intakeUrl = (await urlCode.textContent())!.trim();
  expect(intakeUrl).toMatch(/\/api\/v1\/intake\/retell\/[A-Za-z0-9_-]{43}$/);
  await expect(card).toContainText('connected');
  await expect(card.getByLabel('Retell secret')).toHaveValue('');
  expect(await page.content()).not.toContain(apiKey);

  // Retell posts its call_analyzed event, signed with that key; a forged one is refused.
  const body = platformFixture('retell-call-analyzed');
  const path = new URL(intakeUrl).pathname;
  const forged = await request.post(path, {
    headers: { 'content-type': 'application/json', 'x-retell-signature': retellSignature(body, 'not-the-key') },
    data: body,
  });
  expect(forged.status()).toBe(401);
  const accepted = await request.post(path, {
    headers: { 'content-type': 'application/json', 'x-retell-signature': retellSignature(body, apiKey) },
    data: body,
  });
  expect(accepted.status()).toBe(202);
  const { conversation_id } = await accepted.json();

  // The conversation is listed and its analysis tab shows Retell's summary beside ours.
  await page.goto('/conversations');
  await expect(page.getByTestId('conversations').locator(`a[href="/conversations/${conversation_id}"]`)).toBeVisible();
  await page.goto(`/conversations/${conversation_id}?tab=analysis`);
  await hydrated(page);
  const theirs = page.getByTestId('platform-analysis');
  await expect(theirs).toContainText("Retell's analysis");
  await expect(theirs).toContainText('booked for an urgent-care visit tomorrow at 9:30');
  await expect(theirs).toContainText('Positive');
  await page.getByTestId('tab-transcript').click();
  await expect(page.getByTestId('transcript')).toContainText('I chipped a tooth this morning');
  expect(errors).toEqual([]);
});
