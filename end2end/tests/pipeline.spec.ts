import { test, expect } from './base';
import { createApiKey, fixture, hydrated, postCall, signUp } from './helpers';

test('a call posted by the platform raises an alert, creates a task and shows its analysis', async ({ page, request }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await signUp(page, 'Ann');
  await hydrated(page);

  // An always-send notification for every agent, with a team alert and a high task.
  await page.getByRole('link', { name: 'Notifications', exact: true }).click();
  await expect(page).toHaveURL(/\/notifications$/);
  await page.getByTestId('new-notification').click();
  await expect(page.getByRole('heading', { name: 'New notification' })).toBeVisible();
  await page.getByRole('link', { name: /Start from scratch/ }).click();
  await expect(page).toHaveURL(/template=scratch/);
  await hydrated(page);
  const form = page.getByTestId('notification-form');
  await form.getByLabel('Name', { exact: true }).fill('Every call');
  await form.getByLabel('Always send, after every call').check();
  await form.getByLabel(/Recipients/).fill('ops@example.com');
  await form.getByLabel('Team alert').selectOption('all');
  await form.locator('select[name=task]').selectOption('high');
  await form.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(page).toHaveURL(/\/notifications\/[0-9a-f-]+\?saved=published$/);
  await expect(page.getByTestId('editor-status')).toHaveText('Live: version 1.');
  await page.getByRole('link', { name: 'Notifications', exact: true }).click();
  const row = page.getByTestId('notifications').getByRole('row', { name: /Every call/ });
  await expect(row).toContainText('All agents');
  await expect(row).toContainText('Always send');

  const key = await createApiKey(page);
  await expect(page.getByTestId('unread-count')).toHaveText('0');

  // The platform posts a real call.
  const { conversation_id } = await postCall(request, key, fixture('abcd-3592'));

  // The dispatcher analyses it: the bell count rises and the task appears.
  await expect
    .poll(async () => {
      await page.goto('/tasks');
      return page.getByTestId('unread-count').textContent();
    }, { timeout: 30_000 })
    .toBe('1');
  // The live event can raise the count after the page was rendered with the list of just
  // before the commit: read the list again.
  await page.goto('/tasks');
  await expect(page.getByTestId('tasks').getByRole('row', { name: /Every call/ })).toContainText('high');

  // The alert links to the conversation.
  await page.getByTestId('bell').click();
  await expect(page).toHaveURL(/\/alerts$/);
  await page.getByTestId('alerts').getByRole('link', { name: 'Every call' }).click();
  await expect(page).toHaveURL(new RegExp(`/conversations/${conversation_id}$`));

  // Transcript, AI Analysis and Notifications tabs.
  await hydrated(page);
  await expect(page.getByTestId('transcript')).toContainText('I need to return an item');
  await page.getByTestId('tab-analysis').click();
  await expect(page).toHaveURL(/tab=analysis/);
  await expect(page.getByTestId('analysis')).toContainText('Built-in (offline)');
  await expect(page.getByTestId('analysis')).toContainText('return an item');
  await page.getByTestId('tab-notifications').click();
  const runs = page.getByTestId('runs');
  await expect(runs).toContainText('Every call');
  await expect(runs).toContainText('fired');
  await expect(runs).toContainText('ops@example.com');
  await expect(runs).toContainText('Alerted: Ann');
  await page.getByTestId('tab-transcript').click();
  await expect(page.getByTestId('transcript')).toBeVisible();

  // Reading the alert clears the bell.
  await page.goto('/alerts');
  await hydrated(page);
  await page.getByRole('button', { name: 'Mark all read' }).click();
  await expect(page.getByTestId('unread-count')).toHaveText('0');

  // Marking the task done moves it out of the open filter.
  await page.goto('/tasks?status=open');
  await hydrated(page);
  await page.getByRole('button', { name: 'Mark done' }).click();
  await expect(page.getByText('No tasks match.')).toBeVisible();

  expect(errors).toEqual([]);
});

test('a notification with an unknown variable is refused with its position', async ({ page }) => {
  await signUp(page, 'Bo');
  await page.goto('/notifications/new?template=scratch');
  await hydrated(page);
  const form = page.getByTestId('notification-form');
  await form.getByLabel('Name', { exact: true }).fill('Broken');
  await form.getByLabel('Always send, after every call').check();
  await form.getByLabel('Body (Markdown)').fill('Hello\n{{ summary }}');
  await form.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(form.getByRole('alert')).toHaveText('email.body: line 2, column 4: unknown variable `summary`');
  await expect(page).toHaveURL(/\/notifications\/new\?template=scratch$/);
});
