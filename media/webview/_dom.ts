/** Small DOM helpers: elements are built with properties, never with HTML strings (no injection, CSP-safe). */

type Child = Node | string | undefined | false;

export interface ElementOptions {
  id?: string;
  className?: string;
  text?: string;
  attrs?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, options: ElementOptions = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.id) element.id = options.id;
  if (options.className) element.className = options.className;
  if (options.text !== undefined) element.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) element.setAttribute(name, value);
  for (const child of children) {
    if (child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

/** Removes every child; `replaceChildren()` without arguments. */
export function clear(element: Element): void {
  element.replaceChildren();
}

/** True when focus is in `element` or in its shadow tree (vscode-elements keep their inputs there). */
export function hasFocusWithin(element: Element): boolean {
  const active = document.activeElement;
  return active !== null && (active === element || element.contains(active));
}

/** Calls `action` once `delayMs` passed without another call; `flush` runs a waiting call now. */
export class Debouncer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pending: (() => void) | undefined;

  constructor(private readonly delayMs: number) {}

  get isPending(): boolean {
    return this.pending !== undefined;
  }

  schedule(action: () => void): void {
    this.pending = action;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.delayMs);
  }

  flush(): void {
    const action = this.pending;
    this.cancel();
    action?.();
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }
}
