#!/usr/bin/env node
// The `billflow` bin: runs the TypeScript CLI through tsx, so no build step stands between a
// clone and `npx billflow` (npm scripts and npx put node_modules/.bin, Node 22, first on PATH).
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
