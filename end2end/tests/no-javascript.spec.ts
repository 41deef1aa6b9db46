import { test, expect } from './base';
import { fixture, postCall } from './helpers';

// Forms post to server functions and work before (here: without) hydration.
test.use({ javaScriptEnabled: false });

test('sign-up, API keys and tasks work without JavaScript', async ({ page, request }) => {
  const email = `nojs-${Date.now()}@example.com`;
  await page.goto('/signup');
  await page.getByLabel('Company or team').fill('No JS Ltd');
  await page.getByLabel('Your name').fill('Nora');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password (8 characters or more)').fill('a long enough password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/$/);

  // A second sign-up with the same email is refused, keeping what was typed.
  await page.context().clearCookies();
  await page.goto('/signup');
  await page.getByLabel('Company or team').fill('Again');
  await page.getByLabel('Your name').fill('Nora');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password (8 characters or more)').fill('another long password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('alert')).toContainText('already exists');
  await expect(page.getByLabel('Email')).toHaveValue(email);

  // A wrong password is refused; the right one signs in.
  await page.goto('/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('wrong password!');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Invalid email or password.');
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);

  await page.goto('/settings');
  await page.getByLabel('New key name').fill('no-js');
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page).toHaveURL(/\/settings\??$/);
  const key = (await page.getByTestId('new-api-key').textContent())!.trim();
  expect(key).toMatch(/^ac_/);
  await page.reload();
  await expect(page.getByTestId('new-api-key')).toHaveCount(0);

  await page.goto('/notifications/new');
  await page.getByRole('link', { name: /Start from scratch/ }).click();
  await page.getByLabel('Name', { exact: true }).fill('Callbacks');
  await page.getByLabel(/When the AI judges/).check();
  await page.locator('textarea[name=condition]').fill('Did the agent promise that someone will contact the customer later?');
  await page.locator('select[name=task]').selectOption('urgent');
  await page.getByLabel('Team alert').selectOption('off');
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(page).toHaveURL(/\/notifications\/[0-9a-f-]+\?saved=published$/);
  await expect(page.getByTestId('editor-status')).toHaveText('Live: version 1.');

  // A fraud report whose agent says "we will contact you with details in due course".
  await postCall(request, key, fixture('star-1064'));
  await expect
    .poll(async () => {
      await page.goto('/tasks?status=open');
      return page.getByTestId('tasks').count();
    }, { timeout: 30_000 })
    .toBe(1);
  await expect(page.getByTestId('tasks')).toContainText('urgent');
  await page.getByRole('button', { name: 'Mark done' }).click();
  await expect(page).toHaveURL(/\/tasks\?status=open$/);
  await expect(page.getByText('No tasks match.')).toBeVisible();
});
