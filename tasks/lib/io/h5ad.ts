/**
 * AnnData .h5ad reader. `X` is cells x genes: a dense 2-D dataset, or a group holding a scipy CSR or
 * CSC matrix (`data`, `indices`, `indptr`; attributes `encoding-type` = csr_matrix/csc_matrix and
 * `shape`, or `h5sparse_format` = csr/csc and `h5sparse_shape` in anndata < 0.7 files). Cell names
 * come from `obs` (the dataset named by its `_index` attribute, `_index` by default; in anndata < 0.7
 * `obs` is a table whose `index` column holds them), gene names likewise from `var`.
 *
 * The result is genes x cells (features x samples), as every reader returns. Sparse X is read in
 * blocks of entries and scattered straight into the dense output; no dense cells x genes copy is made.
 *
 * Locations: `source.rowLines[i]` is the 0-based var (gene) index of row i and `colColumns[j]` the
 * 0-based obs (cell) index of column j, so `cellLocation` says "FILE X[cell, gene]", as in Python.
 */
import { inputError } from '../errors.js';
import { type H5File, toIntList } from './hdf5.js';
import { allocDense, checkNames, fillDenseTransposed, fillSparse, indexArray, type DenseDtype } from './h5-matrix.js';
import { quoteText, type ReadMatrix } from './text.js';

interface AxisNames {
  names: string[];
  /** Where they were read from, for messages ("obs/_index"). */
  dataset: string;
}

/** Cell (obs) or gene (var) names. */
function readAxisNames(h5: H5File, axis: 'obs' | 'var'): AxisNames {
  const what = axis === 'obs' ? 'cell' : 'gene';
  const kind = h5.kind(axis);
  if (kind === 'missing') {
    throw inputError(h5.path, `this AnnData file has no ${axis} group, so the ${what} names are unknown`, 'write the file with anndata (adata.write_h5ad), which stores obs and var');
  }
  const attr = h5.attr(axis, '_index');
  if (kind === 'dataset') {
    // anndata < 0.7: a compound table; the names are its `index` column.
    const field = typeof attr === 'string' ? attr : 'index';
    return { names: h5.readStringsField(axis, field), dataset: axis };
  }
  const column = typeof attr === 'string' && attr !== '' ? attr : '_index';
  const dataset = `${axis}/${column}`;
  if (h5.kind(dataset) !== 'dataset') {
    throw inputError(
      `${h5.path} group ${axis}`,
      `the ${what} names should be in ${dataset}${typeof attr === 'string' ? ' (named by the _index attribute of ' + axis + ')' : ''} but there is no such dataset`,
      `write the file with anndata (adata.write_h5ad), which stores the ${what} names there`,
    );
  }
  return { names: h5.readStrings(dataset), dataset };
}

const UNIQUE_OBS = 'make cell names unique before saving (adata.obs_names_make_unique())';
const UNIQUE_VAR = 'make gene names unique before saving (adata.var_names_make_unique())';

/**
 * A column of var as text, e.g. gene symbols beside Ensembl ids (--feature-names): a string
 * dataset, a categorical (codes into categories; code -1 is missing), or a field of an anndata < 0.7
 * var table. A missing column is exit 3 naming the columns there are.
 */
function readVarColumn(h5: H5File, column: string, nVars: number): string[] {
  const where = `${h5.path} group var`;
  let values: string[];
  const path = `var/${column}`;
  if (h5.kind('var') === 'dataset') values = h5.readStringsField('var', column);
  else if (h5.kind(path) === 'dataset') values = h5.readStrings(path);
  else if (h5.kind(path) === 'group' && h5.kind(`${path}/categories`) === 'dataset' && h5.kind(`${path}/codes`) === 'dataset') {
    const categories = h5.readStrings(`${path}/categories`);
    const codes = h5.readNumeric(`${path}/codes`, 0, h5.info(`${path}/codes`).shape[0] ?? 0);
    values = Array.from(codes as ArrayLike<number | bigint>, (c) => categories[Number(c)] ?? '');
  } else {
    const columns = h5.keys('var').filter((k) => !k.startsWith('_'));
    throw inputError(where, `there is no column ${quoteText(column)} (--feature-names); its columns are ${columns.map((c) => quoteText(c)).join(', ') || 'none'}`, 'pass one of them to --feature-names, or leave the flag out');
  }
  if (values.length !== nVars) throw inputError(where, `column ${quoteText(column)} has ${values.length} entries for ${nVars} genes`, 'write the file again with anndata');
  return values;
}

/**
 * Read an opened .h5ad file as a genes x cells matrix (float64, or float32 when `dtype` says so).
 * `featureNames`: a var column whose values become the features' descriptions (gene symbols).
 */
export function readH5ad(h5: H5File, dtype: DenseDtype = 'float64', featureNames?: string): ReadMatrix {
  const p = h5.path;
  const xKind = h5.kind('X');
  if (xKind === 'missing' || xKind === 'other') {
    throw inputError(
      p,
      `this AnnData file has no X matrix${h5.kind('layers') === 'group' ? ' (it may keep its data only in layers)' : ''}`,
      'store the expression matrix in X (adata.X = adata.layers["counts"]) and save again',
    );
  }
  const obs = readAxisNames(h5, 'obs');
  const vars = readAxisNames(h5, 'var');
  const label = (cell: number, gene: number): string => `cell ${quoteText(obs.names[cell] ?? String(cell))}, gene ${quoteText(vars.names[gene] ?? String(gene))}`;

  let nObs: number;
  let nVars: number;
  let data: Float64Array | Float32Array;
  if (xKind === 'dataset') {
    const info = h5.info('X');
    if (info.shape.length !== 2) {
      throw inputError(`${p} dataset X`, `X has ${info.shape.length} dimensions, not 2 (cells x genes)`, 'store X as a cells x genes matrix');
    }
    [nObs, nVars] = info.shape as [number, number];
    const from = `dataset X (shape [${nObs}, ${nVars}])`;
    checkNames(h5, obs.dataset, obs.names, 'cell', nObs, from, UNIQUE_OBS);
    checkNames(h5, vars.dataset, vars.names, 'gene', nVars, from, UNIQUE_VAR);
    data = allocDense(`${p} dataset X`, nVars, nObs, 'genes', 'cells', dtype);
    fillDenseTransposed(h5, 'X', nObs, nVars, label, data);
  } else {
    const encoding = h5.attr('X', 'encoding-type');
    const legacy = h5.attr('X', 'h5sparse_format');
    let format: 'csr' | 'csc';
    let shapeAttr: string;
    if (encoding === 'csr_matrix' || encoding === 'csc_matrix') {
      format = encoding === 'csr_matrix' ? 'csr' : 'csc';
      shapeAttr = 'shape';
    } else if (legacy === 'csr' || legacy === 'csc') {
      format = legacy;
      shapeAttr = 'h5sparse_shape';
    } else {
      throw inputError(
        `${p} group X`,
        `X is a group but its encoding-type attribute is ${encoding === undefined ? 'missing' : quoteText(String(encoding))}, not csr_matrix or csc_matrix`,
        'store X as a dense array or a scipy CSR/CSC matrix (anndata writes either)',
      );
    }
    const shape = toIntList(h5.attr('X', shapeAttr));
    if (!shape || shape.length !== 2) {
      throw inputError(`${p} group X`, `the ${shapeAttr} attribute is missing or not two whole numbers (cells, genes)`, 'write the file again with anndata, which records the shape of a sparse X');
    }
    [nObs, nVars] = shape as [number, number];
    const from = `the ${shapeAttr} attribute of X ([${nObs}, ${nVars}])`;
    checkNames(h5, obs.dataset, obs.names, 'cell', nObs, from, UNIQUE_OBS);
    checkNames(h5, vars.dataset, vars.names, 'gene', nVars, from, UNIQUE_VAR);
    data = allocDense(`${p} group X`, nVars, nObs, 'genes', 'cells', dtype);
    const csr = format === 'csr';
    fillSparse(
      h5,
      {
        group: 'X',
        nMajor: csr ? nObs : nVars,
        nMinor: csr ? nVars : nObs,
        majorWhat: csr ? 'cell' : 'gene',
        minorWhat: csr ? 'gene' : 'cell',
        shapeFrom: from,
        majorIsSample: csr,
        label: (major, minor) => (csr ? label(major, minor) : label(minor, major)),
      },
      data,
    );
  }
  return {
    rows: nVars,
    cols: nObs,
    data,
    rowIds: vars.names,
    rowDescriptions: featureNames !== undefined ? readVarColumn(h5, featureNames, nVars) : vars.names.map(() => ''),
    colIds: obs.names,
    source: { path: p, format: 'h5ad', rowLines: indexArray(nVars), colColumns: indexArray(nObs) },
  };
}
