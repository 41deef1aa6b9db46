import { test, expect } from './base';
import { createAgent, createApiKey, hydrated, openWhenAnalysed, postCall, signUp } from './helpers';

test('the editor shows how the built-in analyzer reads a trigger question as it is typed', async ({ page }) => {
  await signUp(page, 'Rae');
  await page.goto('/notifications/new?template=scratch');
  await hydrated(page);
  const form = page.getByTestId('notification-form');
  const reading = page.getByTestId('trigger-reading');
  await form.getByLabel(/When the AI judges/).check();
  const question = form.getByLabel('Trigger question');

  await question.fill('Did the customer ask to be called back?');
  await expect(reading).toHaveText('Built-in analyzer: checks the call for a callback or follow-up.');
  await question.fill('Was the call about a hotel stay?');
  await expect(reading).toHaveText('Built-in analyzer: checks whether the call was about: a hotel stay.');
  await question.fill('Did the customer sound cheerful?');
  await expect(reading).toContainText('not understood by the built-in analyzer, which answers Unknown (never fires)');

  // Saved, the page opens with the stored question's reading.
  await form.getByLabel('Name', { exact: true }).fill('Cheerful callers');
  await form.getByRole('button', { name: 'Save draft' }).click();
  await expect(page).toHaveURL(/\/notifications\/[0-9a-f-]+\?saved=draft$/);
  await page.reload();
  await expect(page.getByTestId('trigger-reading')).toContainText('not understood by the built-in analyzer');

  // Published, it never fires: a call's run shows "unknown", not "not fired".
  await hydrated(page);
  await page.getByTestId('notification-form').getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(page.getByTestId('saved')).toHaveText('Published: new calls use this version.');
  const key = await createApiKey(page);
  await createAgent(page.request, key, 'desk', 'Desk');
  const { conversation_id } = await postCall(page.request, key, {
    call_id: 'e2e-reading-1',
    agent_id: 'desk',
    transcript: [
      { role: 'agent', text: 'Hello, how can I help?' },
      { role: 'user', text: 'Great news, my parcel arrived, thanks so much!' },
    ],
  });
  await openWhenAnalysed(page, conversation_id, 'notifications', 'runs');
  const run = page.getByTestId('runs').locator('li', { hasText: 'Cheerful callers' });
  await expect(run.locator('.badge')).toHaveText('unknown');
  await expect(run).toContainText('not understood by the built-in analyzer');
});
