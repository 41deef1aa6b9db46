import { test, expect, type Page } from './base';
import { createApiKey, hydrated, postCall, signUp } from './helpers';

/** Creates agent `desk` over the API and returns its id. */
async function deskAgent(page: Page, key: string): Promise<string> {
  const agent = await page.request.post('/api/v1/agents', {
    headers: { authorization: `Bearer ${key}` },
    data: { external_id: 'desk', name: 'Front desk' },
  });
  expect(agent.status()).toBe(201);
  return (await agent.json()).id as string;
}

const call = {
  call_id: 'e2e-callback-1',
  agent_id: 'desk',
  started_at: '2026-11-20T09:00:00Z',
  ended_at: '2026-11-20T09:01:30Z',
  end_reason: 'customer_hangup',
  direction: 'inbound',
  from_number: '+14155550141',
  customer: { name: 'Dana Reyes' },
  transcript: [
    { role: 'agent', text: 'Front desk, how can I help?' },
    { role: 'user', text: 'Could you call me back tomorrow morning? I am driving right now.' },
    { role: 'agent', text: 'Of course, we will call you back tomorrow morning.' },
  ],
};

test('a starter template, the variable picker, live preview, test-send, conditions, draft, publish and restore', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signUp(page, 'Ivy');
  const key = await createApiKey(page);
  const agentId = await deskAgent(page, key);
  await postCall(page.request, key, call);

  // The gallery: ten starters plus "from scratch"; picking one opens the editor pre-filled.
  await page.goto(`/notifications/new?agent=${agentId}`);
  const gallery = page.getByTestId('gallery');
  await expect(gallery.locator('a.starter')).toHaveCount(11);
  await gallery.getByTestId('starter-callback-requested').click();
  await expect(page).toHaveURL(/template=callback-requested/);
  await hydrated(page);
  const form = page.getByTestId('notification-form');
  await expect(page.getByTestId('editor-status')).toContainText('from the “Callback Requested” template');
  await expect(form.getByLabel('Name', { exact: true })).toHaveValue('Callback Requested');
  await expect(form.getByLabel('Trigger question')).toHaveValue(/call.*back.*\?$/i);
  await expect(form.getByLabel(/When the AI judges/)).toBeChecked();
  await expect(form.getByLabel('Applies to')).toHaveValue(agentId);

  // The variable picker inserts at the cursor.
  const subject = form.getByLabel('Subject');
  await subject.fill('Call back  today');
  await subject.evaluate((el: HTMLInputElement) => el.setSelectionRange(10, 10));
  await page.getByTestId('variables').getByRole('button', { name: '{{ customer_name }}' }).click();
  await expect(subject).toHaveValue('Call back {{ customer_name }} today');

  // The preview follows typing, rendered against the chosen past call.
  const preview = page.getByTestId('preview');
  await preview.getByLabel('Preview with').selectOption({ index: 1 });
  await expect(preview.getByTestId('preview-subject')).toHaveText('Call back Dana Reyes today');
  const body = form.getByLabel('Body (Markdown)');
  await body.fill('Please ring **{{ customer_number }}**.\n\n{{ nonsense }}');
  await expect(preview.getByTestId('preview-error')).toContainText('email.body: line 3');
  await body.fill('Please ring **{{ customer_number }}**.');
  await expect(page.frameLocator('[data-testid=preview-body]').locator('strong')).toHaveText('+14155550141');
  // With the built-in sample instead.
  await preview.getByLabel('Preview with').selectOption('sample');
  await expect(preview.getByTestId('preview-subject')).not.toHaveText('Call back Dana Reyes today');
  await preview.getByLabel('Preview with').selectOption({ index: 1 });

  // Test-send goes to my own address (the outbox here) and creates no run.
  await preview.getByRole('button', { name: 'Send a test to me' }).click();
  await expect(preview.getByTestId('test-send-result')).toContainText('stored in the outbox');

  // Structured conditions.
  // Structured conditions: the one condition editor (typed values, upper-case end reasons).
  await form.getByText('Only when…').click();
  const row = async (i: number, field: string, op: string, value: string) => {
    await form.locator(`input[name="cond_field[${i}]"]`).fill(field);
    await form.locator(`select[name="cond_op[${i}]"]`).selectOption(op);
    await form.locator(`input[name="cond_value[${i}]"]`).fill(value);
  };
  await row(0, 'end_reason', '==', 'CUSTOMER_HANGUP');
  await row(1, 'direction', '==', 'inbound');
  await row(2, 'duration', '>=', '30');
  await row(3, 'callback_time', 'is_not_empty', '');
  await form.getByRole('button', { name: 'Save draft' }).click();
  await expect(page).toHaveURL(/\/notifications\/[0-9a-f-]+\?saved=draft$/);
  await expect(page.getByTestId('editor-status')).toHaveText('Draft: never published, so it does not run yet.');
  await expect(form.locator('input[name="cond_value[0]"]')).toHaveValue('CUSTOMER_HANGUP');
  await expect(form.locator('input[name="cond_field[2]"]')).toHaveValue('duration');
  await expect(form.locator('input[name="cond_value[2]"]')).toHaveValue('30');
  await expect(form.locator('select[name="cond_op[3]"]')).toHaveValue('is_not_empty');

  // Publish makes version 1; an edit is a draft until published again (version 2).
  await hydrated(page);
  await form.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(page.getByTestId('editor-status')).toHaveText('Live: version 1.');
  await hydrated(page);
  await form.getByLabel('Subject').fill('Second version for {{ customer_name }}');
  await form.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByTestId('editor-status')).toHaveText('Live: version 1. You are editing unpublished changes.');
  await hydrated(page);
  await page.getByTestId('versions').getByRole('button', { name: 'Publish saved draft' }).click();
  await expect(page.getByTestId('editor-status')).toHaveText('Live: version 2.');
  const versions = page.getByTestId('versions');
  await expect(versions.locator('li')).toHaveCount(2);

  // Restoring version 1 loads it as a draft.
  await versions.getByRole('button', { name: 'Restore v1' }).click();
  await expect(page.getByTestId('editor-status')).toHaveText('Live: version 2. You are editing unpublished changes.');
  await expect(form.getByLabel('Subject')).toHaveValue('Call back {{ customer_name }} today');

  // The outbox holds the test email only: nothing ran.
  await page.goto('/outbox');
  await expect(page.getByTestId('emails').locator('li')).toHaveCount(1);
  await expect(page.getByTestId('emails')).toContainText('[Test] Call back Dana Reyes today');
  expect(errors).toEqual([]);
});

test('the list toggles, duplicates, orders and deletes notifications and shows when they fired', async ({ page }) => {
  await signUp(page, 'Lou');
  const key = await createApiKey(page);
  await deskAgent(page, key);
  for (const name of ['Alpha rule', 'Beta rule']) {
    const created = await page.request.post('/api/v1/agents/desk/notifications', {
      headers: { authorization: `Bearer ${key}` },
      data: { name, trigger: { always: true }, recipients: { fixed: ['ops@example.com'] }, email: { subject: name, body: 'b' }, team_alert: 'off' },
    });
    expect(created.status()).toBe(201);
  }
  await postCall(page.request, key, call);
  const list = page.getByTestId('notifications');
  const names = () => list.locator('tbody tr td:nth-child(2)').allTextContents();
  await expect
    .poll(async () => {
      await page.goto('/notifications');
      return list.getByRole('row', { name: /Alpha rule/ }).getByTestId('fired-7d').textContent();
    }, { timeout: 30_000 })
    .toBe('1');
  await hydrated(page);
  await expect(list.getByRole('row', { name: /Alpha rule/ }).getByTestId('last-fired')).not.toHaveText('never');
  await expect.poll(names).toEqual(['Alpha rule', 'Beta rule']);

  await page.getByRole('button', { name: 'Move Beta rule up' }).click();
  await expect.poll(names).toEqual(['Beta rule', 'Alpha rule']);

  await list.getByRole('row', { name: /Alpha rule/ }).getByRole('button', { name: 'Disable' }).click();
  await expect(list.getByRole('row', { name: /Alpha rule/ })).toContainText('disabled');

  // Duplicating opens the (disabled) copy in the editor.
  await list.getByRole('row', { name: /Beta rule/ }).getByRole('button', { name: 'Duplicate' }).click();
  await expect(page).toHaveURL(/\/notifications\/[0-9a-f-]+$/);
  await expect(page.getByTestId('notification-form').getByLabel('Name', { exact: true })).toHaveValue('Beta rule (copy)');
  await expect(page.getByTestId('notification-form').getByLabel('Enabled')).not.toBeChecked();
  await page.goto('/notifications');
  await hydrated(page);
  const copy = list.getByRole('row', { name: /Beta rule \(copy\)/ });
  await expect(copy).toContainText('disabled');
  await expect(copy.getByTestId('last-fired')).toHaveText('never');

  // Delete asks first: dismissing keeps it, accepting removes it.
  page.once('dialog', (d) => d.dismiss());
  await copy.getByRole('button', { name: 'Delete' }).click();
  await expect(copy).toHaveCount(1);
  page.once('dialog', (d) => d.accept());
  await copy.getByRole('button', { name: 'Delete' }).click();
  await expect(copy).toHaveCount(0);
  await expect.poll(names).toEqual(['Beta rule', 'Alpha rule']);
});
