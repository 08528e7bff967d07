/**
 * SVG -> PNG with resvg (Rust, shipped prebuilt in the npm package): the report's figures are also
 * written as PNG for slides and documents. System fonts are used when present (Debian: fonts-dejavu,
 * fonts-liberation); without any font the text is left out, never the figure.
 */
import { renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';

function options(width: number): ResvgRenderOptions {
  return {
    background: 'white',
    fitTo: { mode: 'width', value: width },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  };
}

/** Rendered on libuv's thread pool, so the report builds the rest while its figures render. */
export async function svgToPngAsync(svg: string, width = 1200): Promise<Buffer> {
  return (await renderAsync(svg, options(width))).asPng();
}
