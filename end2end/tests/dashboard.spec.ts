import { test, expect } from './base';
import { readFileSync } from 'node:fs';
import { createApiKey, hydrated, postCall, signUp } from './helpers';

function event(callId: string, agent: string, day: string, endReason: string, said: string) {
  return {
    call_id: callId,
    agent_id: agent,
    started_at: `${day}T10:00:00Z`,
    ended_at: `${day}T10:01:00Z`,
    end_reason: endReason,
    from_number: '+14155550141',
    transcript: [
      { role: 'agent', text: 'Hello, how can I help?' },
      { role: 'user', text: said },
    ],
  };
}

test('home charts, conversation filters and the CSV export of the filtered rows', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signUp(page, 'Hal');
  const key = await createApiKey(page);
  const api = { authorization: `Bearer ${key}` };
  for (const [id, name] of [['desk', 'Front desk'], ['sales', 'Sales line']]) {
    expect((await page.request.post('/api/v1/agents', { headers: api, data: { external_id: id, name } })).status()).toBe(201);
  }
  const rule = await page.request.post('/api/v1/agents/desk/notifications', {
    headers: api,
    data: {
      name: 'Voicemails', trigger: { always: true }, conditions: [{ kind: 'end_reason', values: ['voicemail'] }],
      recipients: { fixed: ['ops@example.com'] }, email: { subject: 's', body: 'b' }, team_alert: 'off', task: { priority: 'urgent' },
    },
  });
  expect(rule.status()).toBe(201);
  await postCall(page.request, key, event('c-1', 'desk', '2026-11-18', 'customer_hangup', 'I want to book a table for two.'));
  await postCall(page.request, key, event('c-2', 'desk', '2026-11-19', 'voicemail', 'Please call me back about my invoice.'));
  await postCall(page.request, key, event('c-3', 'sales', '2026-11-20', 'customer_hangup', 'Tell me about your pricing.'));

  // Home: the charts count today's three calls, one firing and one urgent task.
  await expect
    .poll(async () => {
      await page.goto('/');
      return page.getByTestId('chart-fired').locator('figcaption').textContent();
    }, { timeout: 30_000 })
    .toContain('1 in 14 days');
  await expect(page.getByTestId('chart-calls').locator('figcaption')).toContainText('3 in 14 days');
  await expect(page.getByTestId('chart-calls').locator('svg rect')).toHaveCount(1);
  await expect(page.getByTestId('chart-tasks').locator('figcaption')).toContainText('1 open');
  await expect(page.getByTestId('chart-tasks').locator('svg title').first()).toHaveText('urgent: 1 open');
  await expect(page.getByTestId('chart-goals')).toBeVisible();
  await expect(page.getByTestId('latest-conversations').locator('li')).toHaveCount(3);

  // Conversations: filters combine and survive in the URL.
  await page.getByRole('link', { name: 'Conversations', exact: true }).click();
  await hydrated(page);
  const rows = page.getByTestId('conversations').locator('tbody tr');
  await expect(rows).toHaveCount(3);
  const filters = page.getByTestId('conversation-filters');
  await filters.locator('select[name=agent]').selectOption({ label: 'Front desk' });
  await filters.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/agent=/);
  await expect(rows).toHaveCount(2);
  await filters.getByLabel('Search').fill('INVOICE');
  await filters.getByRole('button', { name: 'Filter' }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('voicemail');
  await filters.getByLabel('Search').fill('');
  await filters.locator('select[name=fired]').selectOption('no');
  await filters.getByRole('button', { name: 'Filter' }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('customer_hangup');
  await filters.locator('select[name=fired]').selectOption('');
  await filters.getByLabel('From', { exact: true }).fill('2026-11-19');
  await filters.getByLabel('To', { exact: true }).fill('2026-11-19');
  await filters.getByRole('button', { name: 'Filter' }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('voicemail');

  // The export has exactly the filtered rows.
  const download = page.waitForEvent('download');
  await page.getByTestId('export-csv').click();
  const file = await (await download).path();
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  expect(lines[0]).toContain('conversation_id,call_id,agent');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain('c-2');
  expect(lines[1]).toContain('voicemail');

  await page.getByRole('link', { name: 'Clear' }).click();
  await expect(rows).toHaveCount(3);
  expect(errors).toEqual([]);
});
