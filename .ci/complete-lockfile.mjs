// The npm registry reachable here serves only the platform packages of this machine, so `npm install`
// leaves the other platforms' optional bindings out of package-lock.json and `npm ci` then reports the
// lock file as out of sync. This adds those entries back, marked optional with their os/cpu (read off the
// package name), so npm skips them on this platform exactly as it would with a complete lock file.
// Idempotent; run it after `npm install` changes the lock file.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;
const OS = ['android', 'darwin', 'freebsd', 'linux', 'win32', 'openharmony', 'netbsd', 'openbsd', 'sunos', 'aix'];
const CPU = { 'arm-eabi': 'arm', arm: 'arm', arm64: 'arm64', x64: 'x64', ia32: 'ia32', loong64: 'loong64', ppc64: 'ppc64', riscv64: 'riscv64', s390x: 's390x', wasm32: 'wasm32' };
let added = 0;

for (const [where, pkg] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const base = where ? `${where}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[base] || packages[`node_modules/${name}`]) continue;
    const parts = name.split('/').pop().split('-');
    const os = parts.find((p) => OS.includes(p));
    const cpuKey = Object.keys(CPU).find((k) => name.includes(`-${k}`) && (k !== 'arm' || !name.includes('arm64')));
    if (!os || !cpuKey) continue;
    const entry = { version, cpu: [CPU[cpuKey]], dev: pkg.dev || undefined, license: pkg.license, optional: true, os: [os] };
    if (name.endsWith('-gnu') || name.includes('gnueabihf')) entry.libc = ['glibc'];
    if (name.includes('musl')) entry.libc = ['musl'];
    packages[`node_modules/${name}`] = entry;
    added++;
  }
}
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: added ${added} optional platform entries`);
