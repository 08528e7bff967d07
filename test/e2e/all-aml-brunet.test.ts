import { describe } from 'vitest';
import { allAmlEndToEnd } from './all-aml.js';

describe('ALL_AML end to end, brunet (R NMF 0.25 reference)', () => allAmlEndToEnd('brunet'));
