import { readFileSync } from "node:fs";
import path from "node:path";

// The web app manifest is complete enough for Chromium (and app stores'
// wrappers) to offer installing the app, and every icon it names exists at
// the size it claims.

const ROOT = path.resolve(__dirname, "../../..");
const manifest = JSON.parse(readFileSync(path.join(ROOT, "public/manifest.webmanifest"), "utf8")) as {
  name: string;
  short_name: string;
  start_url: string;
  display: string;
  theme_color: string;
  background_color: string;
  icons: { src: string; sizes: string; type: string; purpose: string }[];
};

/** Width and height from a PNG's IHDR chunk (PNG spec §11.2.2). */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  if (bytes.subarray(0, 8).toString("hex") !== "89504e470d0a1a0a" || bytes.subarray(12, 16).toString("ascii") !== "IHDR") throw new Error(`${file} is not a PNG`);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe("the web app manifest", () => {
  it("names the app, starts at /chat standalone, with theme and background colours", () => {
    expect(manifest).toMatchObject({ name: "CommunisP", short_name: "CommunisP", start_url: "/chat", display: "standalone" });
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
  });

  it("has the icon sizes stores ask for (192 and 512), and a maskable one", () => {
    const png = manifest.icons.filter((i) => i.type === "image/png");
    expect(png.filter((i) => i.purpose === "any").map((i) => i.sizes)).toEqual(expect.arrayContaining(["192x192", "512x512"]));
    expect(png.some((i) => i.purpose === "maskable" && i.sizes === "512x512")).toBe(true);
  });

  it("names only icons that exist at the size it claims", () => {
    for (const icon of manifest.icons) {
      const file = path.join(ROOT, "public", icon.src);
      if (icon.type !== "image/png") {
        expect(readFileSync(file, "utf8")).toMatch(/^<svg /);
        continue;
      }
      const [width, height] = icon.sizes.split("x").map(Number);
      expect(pngSize(file)).toEqual({ width, height });
    }
  });
});
