/**
 * A small page object over VS Code's web workbench (code-server) for the UI tests: activity bar,
 * views, tree items and their context menus, the command palette, notifications, the output panel,
 * webviews and screenshots. Every wait is for a condition, with a timeout.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { waitUntil } from '../host/processes';

export const DEFAULT_TIMEOUT = 20_000;

export class Workbench {
  constructor(
    readonly page: Page,
    /** Where screenshot() writes: test-output/ui/ by default. */
    readonly screenshotDir: string,
  ) {}

  /** Waits until the workbench has rendered its activity bar and status bar. */
  async waitUntilReady(timeout = 60_000): Promise<void> {
    await this.page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout });
    await this.page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout });
  }

  /** An activity-bar icon by its title, e.g. "Hotjar" or "Explorer". */
  activityBarItem(title: string): Locator {
    // Built-in items carry their keybinding in the name: "Explorer (Ctrl+Shift+E)".
    const name = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\(.*\\))?$`);
    return this.page.locator('.part.activitybar').getByRole('tab', { name });
  }

  /** Clicks an activity-bar icon unless its container is already showing, and waits for the side bar. */
  async openActivity(title: string, timeout = DEFAULT_TIMEOUT): Promise<Locator> {
    const item = this.activityBarItem(title);
    await item.waitFor({ timeout });
    if ((await item.getAttribute('aria-selected')) !== 'true') await item.click();
    await waitUntil(`the ${title} side bar`, timeout, async () => (await item.getAttribute('aria-selected')) === 'true');
    return this.sideBar();
  }

  sideBar(): Locator {
    return this.page.locator('.part.sidebar');
  }

  /** A view's pane in the side bar by its name (matched ignoring case: the UI upper-cases it), e.g. "Destinations". */
  viewPane(name: string): Locator {
    return this.sideBar().locator('.pane').filter({ has: this.page.locator('.pane-header', { hasText: name }) });
  }

  /** The welcome content (viewsWelcome) shown in an empty view. */
  welcomeContent(): Locator {
    return this.sideBar().locator('.welcome-view-content');
  }

  /** A tree item in the side bar whose label contains `label`. */
  treeItem(label: string | RegExp): Locator {
    return this.sideBar().getByRole('treeitem').filter({ hasText: label });
  }

  /** An item of the Explorer by file or folder name (opens the Explorer first). */
  async explorerItem(name: string): Promise<Locator> {
    await this.openActivity('Explorer');
    const item = this.sideBar().getByRole('treeitem', { name, exact: true });
    await item.waitFor({ timeout: DEFAULT_TIMEOUT });
    return item;
  }

  /** Right-clicks target and chooses a menu entry by its label. */
  async contextMenu(target: Locator, entry: string | RegExp, timeout = DEFAULT_TIMEOUT): Promise<void> {
    await target.click({ button: 'right' });
    const item = this.page.locator('.context-view .monaco-menu').getByRole('menuitem', { name: entry });
    await item.waitFor({ timeout });
    await item.click();
  }

  /** The entries of the context menu of target, then closes it (for asserting what a menu offers). */
  async contextMenuEntries(target: Locator, timeout = DEFAULT_TIMEOUT): Promise<string[]> {
    await target.click({ button: 'right' });
    const menu = this.page.locator('.context-view .monaco-menu');
    await menu.waitFor({ timeout });
    const labels = await menu.locator('.action-label:not(.separator)').allInnerTexts();
    await this.page.keyboard.press('Escape');
    return labels.map((l) => l.trim()).filter((l) => l.length > 0);
  }

  /** Runs a command from the command palette by its title as shown there, e.g. "Hotjar: Show Log". */
  async runCommand(title: string, timeout = DEFAULT_TIMEOUT): Promise<void> {
    const input = await this.quickInput(timeout);
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: title }).first();
    await row.waitFor({ timeout });
    await row.click();
  }

  /** Opens the command palette and returns its input box. */
  async quickInput(timeout = DEFAULT_TIMEOUT): Promise<Locator> {
    const widget = this.page.locator('.quick-input-widget');
    if (!(await widget.isVisible())) {
      await this.page.keyboard.press('F1');
    }
    const input = widget.locator('input.input');
    await input.waitFor({ timeout });
    return input;
  }

  /** Answers an open quick pick or input box: types text and presses Enter. */
  async answerQuickInput(text: string, timeout = DEFAULT_TIMEOUT): Promise<void> {
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout });
    await input.fill(text);
    await input.press('Enter');
  }

  /** Picks an entry of an open quick pick by its label. */
  async pickQuickItem(label: string | RegExp, timeout = DEFAULT_TIMEOUT): Promise<void> {
    const row = this.page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: label }).first();
    await row.waitFor({ timeout });
    await row.click();
  }

  /** A notification toast containing text. */
  notification(text: string | RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-toast').filter({ hasText: text });
  }

  /** Waits for a notification containing text and returns its full text. */
  async waitForNotification(text: string | RegExp, timeout = DEFAULT_TIMEOUT): Promise<string> {
    const toast = this.notification(text).first();
    await toast.waitFor({ timeout });
    return toast.innerText();
  }

  /** Clicks a button (e.g. "Cancel", "Send") on the notification containing text. */
  async clickNotificationButton(text: string | RegExp, button: string, timeout = DEFAULT_TIMEOUT): Promise<void> {
    const action = this.notification(text).first().getByRole('button', { name: button });
    await action.waitFor({ timeout });
    await action.click();
  }

  /** The visible text of the editor in the panel (Output view). */
  panelText(): Promise<string> {
    return this.page.locator('.part.panel .monaco-editor .view-lines').innerText();
  }

  /** Waits until the panel's editor (e.g. an output channel) shows text matching pattern; returns it. */
  async waitForPanelText(pattern: RegExp, timeout = DEFAULT_TIMEOUT): Promise<string> {
    let text = '';
    await waitUntil(`the panel to show ${String(pattern)}`, timeout, async () => {
      text = (await this.page.locator('.part.panel .monaco-editor .view-lines').innerText().catch(() => '')).replace(/\s+/g, ' ');
      return pattern.test(text);
    });
    return text;
  }

  /** The active editor tab's title. */
  activeEditorTitle(): Promise<string> {
    return this.page.locator('.part.editor .tab.active .label-name').innerText();
  }

  /**
   * The content of the visible webview (the active webview editor or view; the last one when several
   * show). VS Code nests each webview's page in an iframe inside an iframe.
   */
  webview(): FrameLocator {
    return this.page.locator('iframe.webview.ready').filter({ visible: true }).last().contentFrame().frameLocator('iframe#active-frame');
  }

  /** Saves a PNG of the whole window under the screenshot folder and returns its path. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(this.screenshotDir, { recursive: true });
    const file = path.join(this.screenshotDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }
}
