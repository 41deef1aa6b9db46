import { test, expect } from './base';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiKey, hydrated, postCall, signUp } from './helpers';

/** A real HTTP endpoint that records every request (any method) and answers 200. */
async function receiver() {
  const received: { method: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/crm`;
  return { url, received, close: () => server.close() };
}

test('an admin sets up an HTTP request action with headers, a secret, auth and a JSON body, and a call sends it', async ({ page, request }) => {
  const crm = await receiver();
  await signUp(page, 'Hal');
  const key = await createApiKey(page);
  const agent = await request.post('/api/v1/agents', { headers: { authorization: `Bearer ${key}` }, data: { external_id: 'desk', name: 'Desk' } });
  const agentId = (await agent.json()).id as string;

  await page.goto(`/agents/${agentId}?tab=actions`);
  await hydrated(page);
  await page.waitForLoadState('networkidle');
  const form = page.getByTestId('action-form');
  // Fills the whole form: a submit before the form hydrated is a plain form post, after
  // which the page comes back with the error and an empty form (both are real paths).
  const fill = async (body: string) => {
    await form.getByLabel('Name', { exact: true }).fill('CRM update');
    await form.getByLabel('URL', { exact: true }).fill(crm.url);
    await form.locator('select[name=format]').selectOption('request');
    await form.locator('select[name=method]').selectOption('PUT');
    await form.getByLabel(/^Headers, one per line/).fill('X-Source: aftercall');
    await form.getByLabel(/^Secret headers/).fill('X-Api-Key: key-e2e-secret');
    await form.locator('select[name=auth_kind]').selectOption('bearer');
    await form.getByLabel(/^Bearer token/).fill('tok-e2e-secret');
    await form.getByLabel(/^JSON body/).fill(body);
    await form.getByRole('button', { name: 'Add and publish' }).click();
  };
  // A body that does not render JSON is refused, naming the line.
  await fill('{\n  "phone": {{ customer_number }},\n}');
  await expect(page.getByTestId('action-form')).toContainText('line 3');
  await fill('{"phone": {{ customer_number }}, "summary": {{ conversation_summary }}}');
  await expect(page.getByTestId('actions')).toContainText('CRM update');
  expect(await page.content()).not.toContain('key-e2e-secret');
  expect(await page.content()).not.toContain('tok-e2e-secret');

  await postCall(request, key, {
    call_id: 'e2e-request-1', agent_id: 'desk', from_number: '+14155550141',
    transcript: [
      { role: 'agent', text: 'Hello, how can I help?' },
      { role: 'user', text: 'Please update my address on file.' },
    ],
  });
  await expect.poll(() => crm.received.length, { timeout: 30_000 }).toBe(1);
  const got = crm.received[0];
  expect(got.method).toBe('PUT');
  expect(got.headers['x-source']).toBe('aftercall');
  expect(got.headers['x-api-key']).toBe('key-e2e-secret');
  expect(got.headers['authorization']).toBe('Bearer tok-e2e-secret');
  expect(got.headers['webhook-signature']).toMatch(/^v1,/);
  expect(JSON.parse(got.body).phone).toBe('+14155550141');
  crm.close();
});
