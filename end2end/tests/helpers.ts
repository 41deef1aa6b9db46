import { expect, type Page, type APIRequestContext } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A real call event from the repository's fixtures (licensed sources, see fixtures/calls). */
export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'calls', 'events', `${name}.json`), 'utf8'));
}

/** Waits until the page's wasm has hydrated (the layout marks <body>). */
export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 30_000 });
}

/** Signs up a new account through the form and lands on the home dashboard. */
export async function signUp(page: Page, who: string): Promise<{ email: string; password: string }> {
  const email = `${who}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  const password = 'a long enough password';
  await page.goto('/signup');
  await page.getByLabel('Company or team').fill(`${who} Inc`);
  await page.getByLabel('Your name').fill(who);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password (8 characters or more)').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Home' })).toBeVisible();
  return { email, password };
}

/** Creates an API key on the settings page and returns the secret shown once. */
export async function createApiKey(page: Page): Promise<string> {
  await page.goto('/settings');
  await hydrated(page);
  await page.getByLabel('New key name').fill('e2e');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = page.getByTestId('new-api-key');
  await expect(key).toBeVisible();
  return (await key.textContent())!.trim();
}

/** Creates an agent over the REST API with an API key and returns its id. */
export async function createAgent(request: APIRequestContext, key: string, externalId: string, name: string): Promise<string> {
  const agent = await request.post('/api/v1/agents', {
    headers: { authorization: `Bearer ${key}` },
    data: { external_id: externalId, name },
  });
  expect(agent.status()).toBe(201);
  return (await agent.json()).id as string;
}

/**
 * Opens a conversation's `tab` until `testId` is on it: the analysis and its runs appear
 * once the dispatcher has analysed the call (up to 30 s).
 */
export async function openWhenAnalysed(page: Page, conversationId: string, tab: string, testId: string) {
  await expect
    .poll(async () => {
      await page.goto(`/conversations/${conversationId}?tab=${tab}`);
      return page.getByTestId(testId).count();
    }, { timeout: 30_000 })
    .toBe(1);
}

/** POSTs a call event as a voice platform would. */
export async function postCall(request: APIRequestContext, key: string, event: Record<string, unknown>) {
  const response = await request.post('/api/v1/calls', {
    headers: { authorization: `Bearer ${key}` },
    data: event,
  });
  expect([200, 202]).toContain(response.status());
  return (await response.json()) as { conversation_id: string; duplicate: boolean };
}
