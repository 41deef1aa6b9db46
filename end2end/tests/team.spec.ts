import { test, expect } from './base';
import { createApiKey, fixture, hydrated, postCall, signUp } from './helpers';

test('an invited member joins, sees an alert arrive live and works the task assigned to them', async ({ browser }) => {
  // The owner, in one browser context.
  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const errors: string[] = [];
  owner.on('pageerror', (e) => errors.push(e.message));
  await signUp(owner, 'Olga');
  const key = await createApiKey(owner);
  const api = { authorization: `Bearer ${key}` };
  expect((await owner.request.post('/api/v1/agents', { headers: api, data: { external_id: 'desk', name: 'Desk' } })).status()).toBe(201);
  const rule = await owner.request.post('/api/v1/agents/desk/notifications', {
    headers: api,
    data: {
      name: 'Every call', trigger: { always: true }, recipients: { fixed: [] },
      email: { subject: 's', body: 'b' }, team_alert: 'all', task: { priority: 'high' },
    },
  });
  expect(rule.status()).toBe(201);

  // Invite by email; the link is shown once and listed as pending.
  const mateEmail = `max-${Date.now()}@example.com`;
  await owner.getByRole('link', { name: 'Team', exact: true }).click();
  await hydrated(owner);
  const invite = owner.getByTestId('invite-form');
  await invite.getByLabel('Email').fill(mateEmail);
  await invite.getByRole('button', { name: 'Send invitation' }).click();
  const link = (await owner.getByTestId('invitation-link').locator('code').textContent())!.trim();
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
  await expect(owner.getByTestId('invitations')).toContainText(mateEmail);

  // The member, in a second browser context, follows the link and sets a password.
  const mateContext = await browser.newContext();
  const mate = await mateContext.newPage();
  mate.on('pageerror', (e) => errors.push(e.message));
  await mate.goto(link);
  const accept = mate.getByTestId('accept-form');
  await expect(accept).toContainText('Olga Inc');
  await expect(accept).toContainText(mateEmail);
  await accept.getByLabel('Your name').fill('Max');
  await accept.getByLabel(/Choose a password/).fill('max has a long password');
  await accept.getByRole('button', { name: 'Join the team' }).click();
  await expect(mate).toHaveURL(/\/$/);
  await expect(mate.getByRole('heading', { name: 'Home' })).toBeVisible();

  // Members see the team but cannot change it or the notifications.
  await mate.goto('/team');
  await expect(mate.getByTestId('members')).toContainText('Max');
  await expect(mate.getByTestId('invite-form')).toHaveCount(0);
  await mate.goto('/notifications');
  await expect(mate.getByTestId('notifications')).toContainText('Every call');
  await expect(mate.getByRole('button', { name: 'Disable' })).toHaveCount(0);

  // The member's open dashboard hears the alert arrive: bell and toast, without reloading.
  await mate.goto('/tasks');
  await hydrated(mate);
  await expect(mate.getByTestId('unread-count')).toHaveText('0');
  await mate.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  const { conversation_id } = await postCall(owner.request, key, { ...fixture('abcd-3592'), agent_id: 'desk' });
  await expect(mate.getByTestId('unread-count')).toHaveText('1', { timeout: 30_000 });
  const toast = mate.getByTestId('toast');
  await expect(toast).toContainText('Every call');
  expect(await mate.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  await expect(toast).toHaveAttribute('href', `/conversations/${conversation_id}`);

  // The owner assigns the task to Max with a due date that has passed.
  await owner.goto('/tasks');
  await hydrated(owner);
  const row = owner.getByTestId('tasks').getByRole('row', { name: /Every call/ });
  await row.getByLabel('Assignee').selectOption({ label: 'Max' });
  await row.getByLabel('Due date').fill('2020-01-31');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(owner.getByText('Task saved.')).toBeVisible();

  // "My tasks" shows it to Max, overdue.
  await mate.goto('/tasks');
  await hydrated(mate);
  await mate.getByLabel('My tasks').check();
  await mate.getByRole('button', { name: 'Filter' }).click();
  await expect(mate).toHaveURL(/mine=yes/);
  const mine = mate.getByTestId('tasks');
  await expect(mine.getByRole('row')).toHaveCount(2);
  await expect(mine).toContainText('overdue');
  await expect(mine.getByLabel('Due date')).toHaveValue('2020-01-31');

  // Max opens the alert; the owner's bell is unaffected.
  await mate.goto('/alerts');
  await mate.getByTestId('alerts').getByRole('link', { name: 'Every call' }).click();
  await expect(mate).toHaveURL(new RegExp(`/conversations/${conversation_id}$`));
  await owner.goto('/alerts');
  await expect(owner.getByTestId('unread-count')).toHaveText('1');

  // A test alert from the push card arrives live in the same way.
  await owner.goto('/alerts');
  await hydrated(owner);
  await owner.getByTestId('push').getByRole('button', { name: 'Send me a test alert' }).click();
  await expect(owner.getByTestId('unread-count')).toHaveText('2', { timeout: 15_000 });
  await expect(owner.getByTestId('toast').last()).toContainText('Test alert');

  expect(errors).toEqual([]);
  await ownerContext.close();
  await mateContext.close();
});
