// Loaded by test/run.mjs before every test file (after tsx): the same polyfill every bundle imports first.
import '../src/polyfill.js';
