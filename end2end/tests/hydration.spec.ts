import { test, expect, type Page } from './base';
import { createAgent, createApiKey, hydrated, postCall, signUp } from './helpers';

/**
 * The resources a page's server render serialized for hydration, in id order: what the
 * `__RESOLVED_RESOURCES[id] = "…"` scripts of its HTML carry.
 */
async function serialized(page: Page, path: string): Promise<string[]> {
  const html = await (await page.request.get(path)).text();
  return [...html.matchAll(/__RESOLVED_RESOURCES\[(\d+)\] = "((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[2]}"`));
}

// A component that creates a resource must not be built inside a `Suspend` (a `Loaded`
// view): during SSR that body runs more than once, each run creates and fetches its resources
// again, and the browser, which builds the component once, hydrates against the first run's
// answer. When the two answers differed (the first fetch cut short), the page died with
// "Unrecoverable hydration error" now and then. These pages load data inside loaded data; each
// must serialize exactly the resources the browser creates, and hydrate without an error.
test('pages with data inside loaded data serialize each resource once and hydrate cleanly', async ({ page, request }) => {
  const errors: string[] = [];
  // The app's own errors: a hydration mismatch logs its element, then the wasm panics.
  // (Not the email preview's sandboxed frame, where Chromium may refuse the test driver's
  // own scripts.)
  page.on('console', (m) => {
    if (m.type() === 'error' && /hydrat|panicked/i.test(m.text())) errors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));

  await signUp(page, 'Hyd');
  const key = await createApiKey(page);
  const agentId = await createAgent(request, key, 'front-desk', 'Front desk');
  const { conversation_id } = await postCall(request, key, {
    call_id: 'e2e-hydration-1',
    agent_id: 'front-desk',
    transcript: [
      { role: 'agent', text: 'Front desk, how can I help?' },
      { role: 'user', text: 'Please call me back tomorrow about my booking.' },
    ],
  });

  // [page, resources the browser creates there: the signed-in viewer first]
  const pages: [string, number][] = [
    [`/notifications/new?template=scratch&agent=${agentId}`, 2], // viewer, editor (its preview comes with it)
    ['/settings', 4], // viewer, settings, integrations, audit log
    [`/agents/${agentId}?tab=notifications`, 3], // viewer, agent, its notifications
    [`/agents/${agentId}?tab=fields`, 3], // viewer, agent, fields
    [`/agents/${agentId}?tab=actions`, 3], // viewer, agent, actions
    [`/agents/${agentId}?tab=settings`, 2], // viewer, agent
    [`/conversations/${conversation_id}?tab=followup`, 4], // viewer, call, scheduled calls, deliveries
    [`/conversations/${conversation_id}?tab=analysis`, 2], // viewer, call
  ];
  for (const [path, count] of pages) {
    const values = await serialized(page, path);
    expect(values.length, `${path}: ${values.map((v) => v.slice(0, 60)).join(' | ')}`).toBe(count);
    for (const value of values) expect(value, path).toMatch(/^\{"Ok":/);
    await page.goto(path);
    await hydrated(page);
  }
  expect(errors).toEqual([]);
});

// The front end is one browser bundle per part of the dashboard (app/src/bundles.rs). Each
// page must load its own part's bundle only; a link within a part stays in the page (a
// client-side navigation), and a link into another part loads that page from the server
// with the other bundle, which then hydrates it.
test('each part of the dashboard loads its own bundle, and a link into another part loads that part', async ({ page }) => {
  const bundles: string[] = [];
  page.on('request', (r) => {
    const m = r.url().match(/\/pkg\/aftercall-([a-z]+)\.[0-9a-f]{16}\.wasm$/);
    if (m) bundles.push(m[1]);
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  const mark = () => page.evaluate(() => ((window as unknown as { mark?: number }).mark = 1));
  const marked = () => page.evaluate(() => (window as unknown as { mark?: number }).mark ?? 0);

  // Signing up (the sign-in pages' bundle) lands on the home page (the daily pages' one).
  await signUp(page, 'Bundles');
  await hydrated(page);
  expect(bundles).toEqual(['auth', 'work']);

  // Within the daily pages: no page load, no other bundle.
  await mark();
  await page.getByRole('link', { name: 'Conversations', exact: true }).click();
  await expect(page).toHaveURL(/\/conversations$/);
  await expect(page.getByRole('heading', { name: 'Conversations' })).toBeVisible();
  expect(await marked()).toBe(1);
  expect(bundles).toEqual(['auth', 'work']);

  // Into the agents: a page load with the agents' bundle, hydrated.
  await page.getByRole('link', { name: 'Agents', exact: true }).click();
  await expect(page).toHaveURL(/\/agents$/);
  await expect.poll(marked).toBe(0);
  await hydrated(page);
  expect(bundles).toEqual(['auth', 'work', 'agents']);

  // And the admin pages, then back to the daily pages with the browser's back button.
  await mark();
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect.poll(marked).toBe(0);
  await hydrated(page);
  expect(bundles.at(-1)).toBe('admin');
  await page.goBack();
  await expect(page).toHaveURL(/\/agents$/);
  await hydrated(page);
  expect(errors).toEqual([]);
});
