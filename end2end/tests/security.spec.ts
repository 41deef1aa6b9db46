import { test, expect, type Page } from './base';
import { createApiKey, fixture, hydrated, postCall, signUp } from './helpers';

/** Collects Content-Security-Policy violations the page reports, from its first script on. */
async function watchCsp(page: Page): Promise<string[]> {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|compile)/i.test(message.text())) {
      seen.push(message.text());
    }
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return seen;
}

async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __csp: string[] }).__csp ?? ['no listener']);
}

test('every page hydrates under its Content-Security-Policy with no violation', async ({ page, request }) => {
  const console = await watchCsp(page);

  // Public pages: served with the policy, their wasm loads and runs.
  for (const path of ['/signin', '/signup', '/forgot-password', '/reset-password/not-a-token', '/invite/not-a-token']) {
    const response = await page.goto(path);
    const csp = response!.headers()['content-security-policy'];
    expect(csp, path).toContain("script-src 'self' 'wasm-unsafe-eval' 'nonce-");
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(response!.headers()['x-content-type-options'], path).toBe('nosniff');
    await page.waitForLoadState('networkidle');
    expect(await page.evaluate(() => typeof WebAssembly), path).toBe('object');
    expect(await violations(page), path).toEqual([]);
  }

  // Every page of the dashboard, with data on it.
  await signUp(page, 'Csp');
  const key = await createApiKey(page);
  const headers = { authorization: `Bearer ${key}` };
  const agent = await (await request.post('/api/v1/agents', { headers, data: { external_id: 'desk', name: 'Desk' } })).json();
  const notification = await (
    await request.post('/api/v1/agents/desk/notifications', {
      headers,
      data: { name: 'Every call', trigger: { always: true }, recipients: { fixed: ['ops@example.com'] }, email: { subject: 'Call', body: '{{ conversation_summary }}' }, team_alert: 'all', task: { priority: 'low' } },
    })
  ).json();
  const { conversation_id } = await postCall(request, key, { ...fixture('star-1064'), call_id: 'csp-1', agent_id: 'desk' });
  await expect
    .poll(async () => (await (await request.get(`/api/v1/deliveries?conversation_id=${conversation_id}`, { headers })).json()).deliveries.length, { timeout: 15_000 })
    .toBeGreaterThan(0);
  const deliveries = (await (await request.get(`/api/v1/deliveries?conversation_id=${conversation_id}`, { headers })).json()).deliveries;
  const pages = [
    '/',
    '/conversations',
    `/conversations/${conversation_id}`,
    '/agents',
    `/agents/${agent.id}`,
    `/agents/${agent.id}?tab=fields`,
    `/agents/${agent.id}?tab=actions`,
    '/notifications',
    '/notifications/new',
    `/notifications/${notification.id}`,
    '/alerts',
    '/tasks',
    '/outbox',
    '/deliveries',
    `/deliveries/${deliveries[0].channel}/${deliveries[0].id}`,
    '/settings',
    '/team',
    '/profile',
  ];
  for (const path of pages) {
    const response = await page.goto(path);
    expect(response!.status(), path).toBe(200);
    expect(response!.headers()['content-security-policy'], path).toContain("'nonce-");
    await hydrated(page);
    expect(await violations(page), path).toEqual([]);
  }
  expect(console).toEqual([]);
});

test('a forgotten password gets the same answer for every address, and the reset email hides its link from the outbox', async ({ page }) => {
  const { email } = await signUp(page, 'Reset');
  await page.context().clearCookies();
  for (const address of ['nobody-at-all@example.com', email]) {
    await page.goto('/forgot-password');
    await page.getByLabel('Email').fill(address);
    await page.getByRole('button', { name: 'Email me a reset link' }).click();
    await expect(page.getByTestId('reset-sent')).toContainText('If an Aftercall user has that address');
  }
  // Signed in again, the owner finds the reset email in the outbox without its link.
  await page.goto('/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/outbox');
  await hydrated(page);
  await expect(page.getByText('Reset your Aftercall password')).toBeVisible({ timeout: 15_000 });
  const html = await page.content();
  expect(html).toContain('link hidden: only the recipient gets it');
  expect(html).not.toMatch(/reset-password\/[A-Za-z0-9_-]{43}/);
});
