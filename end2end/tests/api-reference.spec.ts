import { test, expect } from './base';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hydrated, signUp } from './helpers';

/** Runs the registry validator on `doc`; its output, or null when it refused the document. */
function validate(doc: unknown): string | null {
  const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'openapi.json');
  writeFileSync(file, JSON.stringify(doc));
  try {
    return execFileSync('node', [join(__dirname, '..', 'validate-openapi.mjs'), file], { encoding: 'utf8', stdio: 'pipe' });
  } catch {
    return null;
  }
}

test('the OpenAPI document validates as OpenAPI 3.1', async ({ request }) => {
  const response = await request.get('/api/v1/openapi.json');
  expect(response.status()).toBe(200);
  const doc = await response.json();
  expect(doc.openapi).toBe('3.1.0');
  expect(Object.keys(doc.paths)).toContain('/api/v1/calls');
  expect(validate(doc)).toContain('valid OpenAPI 3.1');
  // The validator does refuse a broken document.
  const broken = structuredClone(doc);
  broken.paths['/api/v1/calls'].post.responses = 'none';
  expect(validate(broken)).toBeNull();
});

test('the API reference is reachable from Settings and renders every route offline', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  // Nothing outside this server is fetched: the UI ships inside the binary.
  const foreign: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('http://127.0.0.1')) foreign.push(r.url());
  });
  await signUp(page, 'Reference');
  await page.goto('/settings');
  await hydrated(page);
  await page.getByTestId('api-reference').click();
  await expect(page).toHaveURL(/\/api-docs\/$/);
  await expect(page.getByRole('heading', { name: /Aftercall API/ })).toBeVisible();
  await expect(page.locator('.opblock-summary-path').filter({ hasText: /^\/api\/v1\/calls$/ })).toBeVisible();
  expect(await page.locator('.opblock').count()).toBeGreaterThanOrEqual(30);
  // An operation opens with its documented answers.
  await page.locator('.opblock-summary-path').filter({ hasText: /^\/api\/v1\/calls$/ }).click();
  await expect(page.locator('.opblock.is-open .responses-table')).toContainText('202');
  await expect(page.locator('.opblock.is-open .responses-table')).toContainText('413');
  expect(foreign).toEqual([]);
  expect(problems).toEqual([]);
});
