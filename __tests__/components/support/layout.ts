// jsdom lays nothing out: every box is 0×0, there is no ResizeObserver, and
// setting scrollTop neither clamps nor fires "scroll". A virtualized list
// then shows nothing, so component tests give the scrolling element of a
// list what a browser would: a screen's height (read once, with
// getBoundingClientRect), a scrollHeight that follows its content, and a
// scroll offset that clamps to it and fires "scroll" after each change, as
// a browser does before its next frame. Rows keep the estimated height:
// nothing measures them.

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
    const contentHeight = (el: HTMLElement) => Math.max(height, parseFloat((el.firstElementChild as HTMLElement | null)?.style.height ?? "0") || 0);
    Object.defineProperty(HTMLElement.prototype, "scrollHeight", {
      configurable: true,
      get(this: HTMLElement) {
        return isList(this) ? contentHeight(this) : 0;
      },
    });
    const offsets = new WeakMap<HTMLElement, number>();
    Object.defineProperty(HTMLElement.prototype, "scrollTop", {
      configurable: true,
      get(this: HTMLElement) {
        return offsets.get(this) ?? 0;
      },
      set(this: HTMLElement, value: number) {
        if (!isList(this)) return;
        const next = Math.max(0, Math.min(value, contentHeight(this) - height));
        if (next === (offsets.get(this) ?? 0)) return;
        offsets.set(this, next);
        setTimeout(() => this.dispatchEvent(new Event("scroll")), 0);
      },
    });
    Object.defineProperty(HTMLElement.prototype, "scrollTo", {
      configurable: true,
      value(this: HTMLElement, options: ScrollToOptions | number, y?: number) {
        this.scrollTop = typeof options === "number" ? (y ?? 0) : (options.top ?? this.scrollTop);
      },
    });
  });
  afterAll(() => {
    HTMLElement.prototype.getBoundingClientRect = realRect;
    delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
    delete (HTMLElement.prototype as { scrollHeight?: number }).scrollHeight;
    delete (HTMLElement.prototype as { scrollTop?: number }).scrollTop;
    delete (HTMLElement.prototype as { scrollTo?: unknown }).scrollTo;
  });
}

/** Lets the list settle as a browser frame would: pending scroll events fire and React renders what they changed. */
export async function nextFrame(): Promise<void> {
  const { act } = await import("@testing-library/react");
  for (let i = 0; i < 3; i++) await act(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
}
