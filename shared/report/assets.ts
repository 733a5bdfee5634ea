import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { errorMessage, TemplateError } from '../errors';

/**
 * The files the dashboard page inlines. Read from disk here; a deployed Lambda bundle has neither
 * node_modules nor page/, so resources/esbuild-plugins.cjs replaces this module in the bundles
 * with the same three texts compiled in (byte for byte).
 */

/** The files inlined into the page. */
export interface ReportAssets {
  readonly chartJs: string;
  readonly script: string;
  readonly css: string;
}

function readAsset(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new TemplateError(`cannot read ${path}: ${errorMessage(cause)}`, { cause });
  }
}

/** The paths of the three files (the bundler's plugin reads the same ones). */
export function reportAssetPaths(): Readonly<Record<keyof ReportAssets, string>> {
  // The package exports no subpaths; its main entry sits next to the UMD build in dist/.
  const chartDist = dirname(require.resolve('chart.js'));
  return { chartJs: join(chartDist, 'chart.umd.min.js'), script: join(__dirname, 'page', 'report.js'), css: join(__dirname, 'page', 'report.css') };
}

/** Reads Chart.js's UMD build from node_modules and the page's own script and styles. */
export function loadReportAssets(): ReportAssets {
  const paths = reportAssetPaths();
  return { chartJs: readAsset(paths.chartJs), script: readAsset(paths.script), css: readAsset(paths.css) };
}
