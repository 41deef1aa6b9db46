import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test, expect, type Page } from './base';
import { createApiKey, hydrated, signUp } from './helpers';

const root = join(__dirname, '..', '..');

/** Opens the *Try on recent calls* panel (a <details>) unless it is open already. */
async function openTry(page: Page) {
  const panel = page.getByTestId('try-panel');
  if (!(await panel.evaluate((d) => (d as HTMLDetailsElement).open))) {
    await panel.locator('summary').click();
  }
  return panel;
}

test('a trigger is tried on the recent calls of the replayed fixtures, adjusted, tried again and published', async ({ page }) => {
  await signUp(page, 'Tia');
  const key = await createApiKey(page);
  // The README's replay of the bundled fixture calls, with the built binary.
  const replay = spawnSync(
    join(root, 'target', 'debug', 'aftercall'),
    ['replay', join(root, 'fixtures', 'calls', 'events'), '--url', `http://127.0.0.1:${process.env.E2E_PORT ?? 3199}`, '--api-key', key],
    { encoding: 'utf8' },
  );
  expect(replay.status, replay.stderr).toBe(0);
  expect(`${replay.stdout}${replay.stderr}`).toContain('created 10 / duplicate 0 / rejected 0');

  // Write a trigger for every agent and keep it as a draft.
  await page.goto('/notifications/new?template=scratch');
  await hydrated(page);
  const form = page.getByTestId('notification-form');
  await form.getByLabel('Name', { exact: true }).fill('Refunds');
  await form.getByLabel(/When the AI judges/).check();
  await form.getByLabel('Trigger question').fill('Did the caller ask about a refund?');
  await form.getByLabel('Subject').fill('Refund question from {{ customer_number }}');
  await form.getByRole('button', { name: 'Save draft' }).click();
  await expect(page).toHaveURL(/\/notifications\/[0-9a-f-]+\?saved=draft$/);
  await expect(page.getByTestId('editor-status')).toHaveText('Draft: never published, so it does not run yet.');

  // Try it on the ten replayed calls: one verdict per call, nothing sent.
  await hydrated(page);
  const panel = await openTry(page);
  await panel.getByTestId('try-run').click();
  await expect(panel.getByTestId('try-summary')).toContainText('The draft, tried with the builtin analyzer on 10 recent call(s)');
  await expect(panel.getByTestId('tried-call')).toHaveCount(10);

  // Adjust: only calls whose end reason is unknown (one of the ten), then try again.
  await form.getByText('Only when…').click();
  await form.locator('input[name="cond_field[0]"]').fill('end_reason');
  await form.locator('select[name="cond_op[0]"]').selectOption('==');
  await form.locator('input[name="cond_value[0]"]').fill('unknown');
  await form.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByTestId('editor-status')).toHaveText('Draft: never published, so it does not run yet.');
  await hydrated(page);
  await expect(form.locator('input[name="cond_value[0]"]')).toHaveValue('unknown');
  await (await openTry(page)).getByTestId('try-run').click();
  await expect(page.getByTestId('tried-call')).toHaveCount(10);
  await expect(page.locator('[data-testid="tried-call"][data-fired="false"]', { hasText: 'Condition not met: end reason == unknown.' })).toHaveCount(9);

  // Publish: version 1, and the try now runs the published settings.
  await form.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(page.getByTestId('editor-status')).toHaveText('Live: version 1.');
  await hydrated(page);
  await (await openTry(page)).getByLabel('Calls').fill('3');
  await page.getByTestId('try-run').click();
  await expect(page.getByTestId('try-summary')).toContainText('Version 1, tried with the builtin analyzer on 3 recent call(s)');
  await expect(page.getByTestId('tried-call')).toHaveCount(3);
});
