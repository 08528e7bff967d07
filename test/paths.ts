/**
 * Where the tests find their data: everything lives inside the repository (the bundled example and
 * test/fixtures/, provenance in test/fixtures/PROVENANCE.md), so a clone alone runs every test.
 */
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
export const EXAMPLES = join(ROOT, 'examples');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
/** R NMF 0.25 reference results on esGolub (see its README.md). */
export const GOLDEN = join(FIXTURES, 'golden');

/** The bundled 5000 x 38 ALL/AML example (same values as R NMF's esGolub). */
export const ALL_AML = join(EXAMPLES, 'ALL_AML_data.gct');
/** The raw 7129 x 38 Golub training set: CRLF line endings, negative values. */
export const ALL_AML_ORIG = join(FIXTURES, 'all_aml_train.orig.gct');
/** R NMF's esGolub exported as GCT 1.2, gzipped. */
export const ESGOLUB_GZ = join(FIXTURES, 'esGolub.gct.gz');
