import { test as base } from '@playwright/test';

export { expect, type Page } from '@playwright/test';

/**
 * Playwright's `test`, plus one automatic fixture: when a test fails, every page still open
 * in any of its browser contexts prints its address and visible text to the log. CI keeps
 * only the log (the trace lives in a clean checkout that is gone afterwards), so this is
 * what tells an error message on the page from a page that never loaded.
 */
export const test = base.extend<{ pagesOnFailure: void }>({
  pagesOnFailure: [
    async ({ browser, context }, use, testInfo) => {
      void context; // keeps the default context open until this fixture has reported
      await use();
      if (testInfo.status === testInfo.expectedStatus) return;
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
