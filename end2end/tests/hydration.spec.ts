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
