/**
 * The shared HTTP checks of test/http-datasets.test.ts, unchanged, on a Virtuoso 7 server
 * (started on loopback by test/helpers/service.ts when SYNDB_TEST_STORE=virtuoso).
 */
process.env.SYNDB_TEST_STORE = 'virtuoso';
await import('./http-datasets.test.js');
