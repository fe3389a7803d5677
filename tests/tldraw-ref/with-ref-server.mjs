// Runs a command against a fresh ref-server.mjs: starts the server (extra server flags before
// `--`), substitutes {port} in the command's arguments, runs it, stops the server, exits with the
// command's status. E.g.
//   node with-ref-server.mjs -- node converge.mjs --url 'ws://127.0.0.1:{port}/r?x=1' --clients 3
//   node with-ref-server.mjs --drop-every 50 -- node converge.mjs --url 'ws://127.0.0.1:{port}/r'
import { spawn } from 'node:child_process'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'

const args = process.argv.slice(2)
const sep = args.indexOf('--')
if (sep < 0 || sep === args.length - 1) {
	console.error('usage: node with-ref-server.mjs [server flags] -- command args... ({port} is replaced)')
	process.exit(2)
}
const here = path.dirname(fileURLToPath(import.meta.url))
const server = spawn(process.execPath, [path.join(here, 'ref-server.mjs'), ...args.slice(0, sep)], { stdio: ['pipe', 'pipe', 'inherit'] })
const first = await new Promise((resolve, reject) => {
	readline.createInterface({ input: server.stdout }).once('line', resolve)
	server.once('exit', (code) => reject(new Error(`ref-server exited (${code}) before listening`)))
})
const { port } = JSON.parse(first)
const [cmd, ...cmdArgs] = args.slice(sep + 1).map((a) => a.replaceAll('{port}', String(port)))
const child = spawn(cmd, cmdArgs, { stdio: 'inherit' })
const code = await new Promise((resolve) => child.once('exit', (c) => resolve(c ?? 1)))
server.stdin.end()
await new Promise((resolve) => server.once('exit', resolve))
process.exit(code)
