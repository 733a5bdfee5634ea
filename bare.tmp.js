const http = require('node:http');
const server = http.createServer((req, res) => { req.on('data', () => {}); req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 }); res.end('{"ok":true}'); }); });
server.listen(4001, '127.0.0.1', () => console.log('up'));
process.on('SIGTERM', () => process.exit(0));
