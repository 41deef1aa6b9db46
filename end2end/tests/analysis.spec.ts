import { test, expect } from './base';
import { createAgent, createApiKey, hydrated, openWhenAnalysed, postCall, signUp } from './helpers';

test('fields, a goal and routes are set up in the browser and shown on the AI Analysis tab', async ({ page, request }) => {
  await signUp(page, 'Fay');
  const key = await createApiKey(page);

  // The agent exists once it is created over the API.
  const agentId = await createAgent(request, key, 'bistro', 'Bistro line');

  // Settings tab: a goal.
  await page.goto(`/agents/${agentId}?tab=settings`);
  await hydrated(page);
  const settings = page.getByTestId('agent-settings');
  await settings.getByLabel(/Goal/).fill('Did the caller book a table?');
  await settings.getByRole('button', { name: 'Save agent' }).click();
  await expect(page.locator('dl.facts')).toContainText('Did the caller book a table?');

  // Fields tab: a number and an enum.
  await page.getByTestId('agent-tab-fields').click();
  await expect(page.getByTestId('fields-empty')).toBeVisible();
  const form = page.getByTestId('field-form');
  await form.getByLabel(/Name/).fill('party_size');
  await form.getByLabel('Type').selectOption('number');
  await form.getByLabel(/Description/).fill('Number of people for the table');
  await form.getByRole('button', { name: 'Add field' }).click();
  await expect(page.getByTestId('fields')).toContainText('dyn_party_size');
  await form.getByLabel(/Name/).fill('seating');
  await form.getByLabel('Type').selectOption('enum');
  await form.getByLabel(/Description/).fill('Where to sit');
  await form.getByLabel(/Options/).fill('indoors, outdoors');
  await form.getByRole('button', { name: 'Add field' }).click();
  await expect(page.getByTestId('fields')).toContainText('indoors, outdoors');

  // A notification with routes.
  await page.goto(`/notifications/new?template=scratch&agent=${agentId}`);
  await hydrated(page);
  const n = page.getByTestId('notification-form');
  await n.getByLabel('Name', { exact: true }).fill('Routed');
  await n.getByLabel('Always send, after every call').check();
  await n.getByLabel(/Recipients/).fill('ops@example.com');
  await n.getByText('Route by what was said').click();
  await n.getByLabel('Route 1 — when').fill('The caller wants to book a table');
  await n.locator('input[name="route_to[0]"]').fill('reservations@example.com');
  await n.getByLabel('Otherwise email').fill('front-desk@example.com');
  await n.getByLabel('Subject').fill('Table for {{ dyn_party_size }}');
  await expect(page.getByTestId('preview-subject')).toContainText('Table for');
  await n.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(page.getByTestId('saved')).toHaveText('Published: new calls use this version.');

  const { conversation_id } = await postCall(request, key, {
    call_id: 'e2e-bistro-1',
    agent_id: 'bistro',
    started_at: '2026-11-20T18:00:00Z',
    transcript: [
      { role: 'agent', text: 'Bistro, how can I help?' },
      { role: 'user', text: 'I would like to book a table for four people tomorrow, outdoors please.' },
      { role: 'agent', text: 'Your table for 4 is booked for tomorrow at 7 pm on the terrace.' },
    ],
  });

  await openWhenAnalysed(page, conversation_id, 'analysis', 'analysis');
  await hydrated(page);
  const analysis = page.getByTestId('analysis');
  await expect(analysis.getByTestId('goal')).toContainText('success');
  const fields = analysis.getByTestId('fields');
  await expect(fields.getByRole('row', { name: /dyn_party_size/ })).toContainText('4');
  await expect(fields.getByRole('row', { name: /dyn_seating/ })).toContainText('outdoors');
  await expect(analysis.getByTestId('routes')).toContainText('reservations@example.com');

  // Re-running never sends again.
  await page.getByTestId('rerun').click();
  await expect(page.getByRole('status')).toContainText('Nothing is sent again');
  await page.goto(`/conversations/${conversation_id}?tab=notifications`);
  await expect(page.getByTestId('runs')).toContainText('reservations@example.com');
  await page.goto('/outbox');
  await expect(page.getByTestId('emails').locator('li')).toHaveCount(2);
  await expect(page.getByTestId('emails')).toContainText('Table for 4');
});

test('the analyzer is chosen in settings and its key is never shown again', async ({ page }) => {
  await signUp(page, 'Gus');
  await page.goto('/settings');
  await hydrated(page);
  const section = page.getByTestId('analyzer-settings');
  await section.getByLabel('Analyzer').selectOption('openai');
  await section.getByLabel('Base URL').fill('http://127.0.0.1:9/v1');
  await section.getByLabel('Model').fill('gpt-4o-mini');
  await section.getByLabel('API key').fill('sk-secret-value-123');
  await section.getByRole('button', { name: 'Save analyzer' }).click();
  await expect(section.getByLabel(/one is stored/)).toHaveValue('');
  await page.reload();
  await expect(page.locator('body')).not.toContainText('sk-secret-value-123');
  expect(await page.content()).not.toContain('sk-secret-value-123');
  await expect(section.getByLabel('Model')).toHaveValue('gpt-4o-mini');
});
