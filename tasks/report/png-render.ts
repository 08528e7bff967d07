/**
 * SVG -> PNG with resvg (Rust, shipped prebuilt in the npm package): the report's figures are also
 * written as PNG for slides and documents. System fonts are used when present (Debian: fonts-dejavu,
 * fonts-liberation); without any font the text is left out, never the figure.
 */
import { Resvg } from '@resvg/resvg-js';

export function svgToPng(svg: string, width = 1200): Buffer {
  const r = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'width', value: width },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return r.render().asPng();
}
