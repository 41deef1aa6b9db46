import { test, expect } from './base';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiKey, hydrated, postCall, signUp } from './helpers';

/** A real HTTP endpoint that answers the given statuses in order, then 200. */
async function receiver(statuses: number[]) {
  const received: { headers: IncomingHttpHeaders; body: string; status: number }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      received.push({ headers: req.headers, body, status });
      res.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, close: () => server.close() };
}

test('an admin adds a signed webhook and a scheduled call; a dead delivery is replayed and a call cancelled', async ({ page, request }) => {
  const hook = await receiver([400]);
  await signUp(page, 'Dee');
  const key = await createApiKey(page);
  const agent = await request.post('/api/v1/agents', { headers: { authorization: `Bearer ${key}` }, data: { external_id: 'desk', name: 'Desk' } });
  expect(agent.status()).toBe(201);
  const agentId = (await agent.json()).id as string;

  await page.goto(`/agents/${agentId}?tab=actions`);
  await hydrated(page);
  await expect(page.getByTestId('actions-empty')).toBeVisible();
  // The tab hydrates after its list resource: a click before that is a plain form post,
  // whose answer (the secret shown once) only the hydrated form displays.
  await page.waitForLoadState('networkidle');
  const form = page.getByTestId('action-form');
  await form.getByLabel('Name', { exact: true }).fill('CRM');
  await form.getByLabel('URL', { exact: true }).fill(hook.url);
  // A condition in the one condition editor: "is none of" takes a list.
  await form.locator('input[name="cond_field[0]"]').fill('end_reason');
  await form.locator('select[name="cond_op[0]"]').selectOption('not_in');
  await form.locator('input[name="cond_value[0]"]').fill('voicemail, BUSY');
  await form.getByRole('button', { name: 'Add and publish' }).click();
  await expect(page.getByTestId('signing-secret')).toContainText('whsec_');
  await expect(page.getByTestId('actions')).toContainText('CRM');
  await expect(page.getByTestId('actions')).toContainText('only when end reason not in voicemail, busy');

  await form.locator('select[name=kind]').selectOption('schedule_call');
  await form.getByLabel('Name', { exact: true }).fill('Call back');
  await form.getByLabel('URL', { exact: true }).fill(hook.url);
  await form.getByLabel('Fallback delay (minutes)').fill('60');
  await form.getByRole('button', { name: 'Add and publish' }).click();
  await expect(page.getByTestId('actions')).toContainText('60 min after the call');

  const { conversation_id } = await postCall(request, key, {
    call_id: 'e2e-delivery-1',
    agent_id: 'desk',
    from_number: '+14155550141',
    transcript: [
      { role: 'agent', text: 'Hello, how can I help?' },
      { role: 'user', text: 'Please call me back in an hour about my order.' },
    ],
  });

  // The endpoint answered 400: a dead letter at once.
  await page.goto('/deliveries?state=dead');
  await hydrated(page);
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('delivery')).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await page.getByTestId('delivery').getByRole('link', { name: /CRM/ }).click();
  await expect(page.getByTestId('attempts')).toContainText('permanent');
  await expect(page.getByTestId('delivery-facts')).toContainText('msg_');
  await hydrated(page);
  await page.getByTestId('replay').click();
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('delivery-facts')).toContainText('delivered', { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  expect(hook.received.map((r) => r.status)).toEqual([400, 200]);
  expect(hook.received[0].headers['webhook-id']).toBe(hook.received[1].headers['webhook-id']);
  expect(hook.received[1].headers['webhook-signature']).toMatch(/^v1,/);
  expect(JSON.parse(hook.received[1].body).data.conversation.id).toBe(conversation_id);

  // The conversation shows its deliveries and the scheduled call, which can be cancelled.
  await page.goto(`/conversations/${conversation_id}?tab=followup`);
  await hydrated(page);
  await expect(page.getByTestId('deliveries')).toContainText('delivered');
  const call = page.getByTestId('scheduled-call');
  await expect(call).toContainText('scheduled');
  await expect(call).toContainText('fallback 60 min');
  await call.getByTestId('cancel-call').click();
  await expect(call).toContainText('cancelled');
  await page.reload();
  await expect(page.getByTestId('scheduled-call')).toContainText('cancelled');

  // The delivery log names the action version; an edit is a draft until published.
  await page.goto('/deliveries');
  await expect(page.getByTestId('delivery').first()).toContainText('CRM v1');
  await page.goto(`/agents/${agentId}?tab=actions`);
  await hydrated(page);
  await page.waitForLoadState('networkidle');
  const crm = page.getByTestId('action').filter({ hasText: 'CRM' });
  await expect(crm.getByTestId('action-status')).toHaveText('version 1');
  await crm.getByText('Edit', { exact: true }).click();
  await crm.getByLabel('Name', { exact: true }).fill('CRM sync');
  await crm.getByRole('button', { name: 'Save draft' }).click();
  await expect(crm.getByTestId('action-status')).toHaveText('version 1 live · unpublished changes');
  await crm.getByRole('button', { name: 'Publish saved draft' }).click();
  await expect(page.getByTestId('actions')).toContainText('CRM sync');
  await expect(page.getByTestId('action').filter({ hasText: 'CRM sync' }).getByTestId('action-status')).toHaveText('version 2');
  hook.close();
});
