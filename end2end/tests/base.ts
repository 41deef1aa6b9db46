import { test as base, type Page } from '@playwright/test';

export { expect, type Page } from '@playwright/test';

/**
 * Playwright's `test`, plus one automatic fixture: when a test fails, every page still open
 * in any of its browser contexts prints its address and visible text to the log, and every
 * console error logged by a page of the default context is printed too (a Rust panic in the
 * wasm is logged there by `console_error_panic_hook`, with its message and location, just
 * before the page error that says only "unreachable"). CI keeps only the log (the trace
 * lives in a clean checkout that is gone afterwards), so this is what tells an error message
 * on the page from a page that never loaded, or which line panicked.
 */
export const test = base.extend<{ pagesOnFailure: void }>({
  pagesOnFailure: [
    async ({ browser, context }, use, testInfo) => {
      const consoleErrors: string[] = [];
      const watch = (page: Page) =>
        page.on('console', (m) => {
          if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
        });
      context.pages().forEach(watch);
      context.on('page', watch);
      await use();
      if (testInfo.status === testInfo.expectedStatus) return;
      for (const line of consoleErrors) console.log(`--- console error: ${line.slice(0, 4_000)}`);
      for (const open of browser.contexts()) {
        for (const page of open.pages()) {
          const text = await page
            .locator('body')
            .innerText({ timeout: 2_000 })
            .catch((e: Error) => `(could not read the page: ${e.message})`);
          console.log(`--- open page at failure: ${page.url()}\n${text.slice(0, 4_000)}\n---`);
        }
      }
    },
    { auto: true },
  ],
});
