// jsdom lays nothing out: every box is 0×0 and there is no ResizeObserver.
// A virtualized list then shows nothing, so component tests give the
// scrolling element of a list a screen's height (what the virtualizer reads
// once, with getBoundingClientRect) and a scrollHeight that follows its
// content (what the list's own scroll handler reads). Rows keep the
// estimated height: nothing measures them.

export function giveListsAScreen(selector: string, height = 480): void {
  const realRect = HTMLElement.prototype.getBoundingClientRect;
  const isList = (el: Element) => el.matches(selector);
  beforeAll(() => {
    HTMLElement.prototype.getBoundingClientRect = function (this: HTMLElement) {
      const h = isList(this) ? height : 0;
      return { x: 0, y: 0, top: 0, left: 0, right: 600, bottom: h, width: 600, height: h, toJSON: () => ({}) } as DOMRect;
    };
    Object.defineProperty(HTMLElement.prototype, "clientHeight", {
      configurable: true,
      get(this: HTMLElement) {
        return isList(this) ? height : 0;
      },
    });
    Object.defineProperty(HTMLElement.prototype, "scrollHeight", {
      configurable: true,
      get(this: HTMLElement) {
        return isList(this) ? Math.max(height, parseFloat((this.firstElementChild as HTMLElement | null)?.style.height ?? "0") || 0) : 0;
      },
    });
  });
  afterAll(() => {
    HTMLElement.prototype.getBoundingClientRect = realRect;
    delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
    delete (HTMLElement.prototype as { scrollHeight?: number }).scrollHeight;
  });
}
