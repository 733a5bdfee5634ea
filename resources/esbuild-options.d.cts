import type { BuildOptions } from 'esbuild';

export declare const transformBuildOptions: BuildOptions;
