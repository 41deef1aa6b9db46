// Aftercall's service worker: shows browser push alerts (Web Push) while the dashboard is
// closed, and opens the alert's conversation when the notification is clicked. The payload
// is the JSON {"title", "body", "url", "alert_id"} sent by the server's SendPush job.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (_) {
    data = { title: 'Aftercall alert', body: event.data ? event.data.text() : '' };
  }
  const title = data.title || 'Aftercall alert';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || '',
      tag: data.alert_id || undefined,
      icon: '/favicon.svg',
      data: { url: data.url || '/alerts' },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || '/alerts';
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      for (const w of windows) {
        if (w.url === url && 'focus' in w) return w.focus();
      }
      return self.clients.openWindow(url);
    }),
  );
});
