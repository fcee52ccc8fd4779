import '../polyfill.js';

console.log('synchannel: the CLI arrives with the node issue');
