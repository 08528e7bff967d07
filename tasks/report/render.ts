/**
 * Vega-Lite spec -> SVG string in Node, headless: compile to Vega, run a View with renderer 'none'
 * and serialize with toSVG (no canvas: text widths are estimated). The View is finalized afterwards
 * so no timers or listeners keep the process alive.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vgSpec = compile(spec).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
