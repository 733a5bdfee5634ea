// Preloaded with `node -r` by tests: on exit, writes the paths of every module loaded through
// `require` to the file named by LOADED_MODULES_OUT, one per line.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  writeFileSync(process.env.LOADED_MODULES_OUT, `${Object.keys(require.cache).join('\n')}\n`);
});
