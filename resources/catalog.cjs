/**
 * The Glue catalog generated from the one schema (shared/schema): the database and one external
 * table per table of the schema's `tables` (so a table added there cannot be left out of the
 * stack). JSON tables read Firehose's gzip JSON lines with the OpenX SerDe; Parquet tables are
 * what the daily workflow's CTAS writes. Every view below (shared/daily/statements.ts,
 * shared/sql/views.ts) becomes a Glue VIRTUAL_VIEW table in Athena's own encoding (what
 * `CREATE VIEW` on Athena stores), so they exist from the first deploy without a DDL run.
 */
const requireTs = require('./ts.cjs');

const { tables, glueTableColumns, databaseName, glueStorageFormats, glueTableParameters } = requireTs('../shared/schema/index.ts');
const { tutorialViewDdl } = requireTs('../shared/sql/views.ts');

// The same storage descriptors the Glue adapter gives each partition (shared/schema/glue.ts).
const formats = Object.fromEntries(
  Object.entries(glueStorageFormats).map(([name, storage]) => [name, { ...storage, Parameters: glueTableParameters[name] }]),
);

/** `raw_events` -> `GlueTableRawEvents`. */
function tableLogicalId(name) {
  return `GlueTable${name.replace(/(^|_)([a-z0-9])/g, (_, __, c) => c.toUpperCase())}`;
}

/** One `AWS::Glue::Table` for a table of the schema, located in the stack's data bucket. */
function glueTable(table) {
  const format = formats[table.format];
  if (!format) throw new Error(`table ${table.name}: no Glue storage format for "${table.format}"`);
  const { Columns, PartitionKeys } = glueTableColumns(table);
  return {
    Type: 'AWS::Glue::Table',
    Properties: {
      CatalogId: { Ref: 'AWS::AccountId' },
      DatabaseName: { Ref: 'GlueDatabase' },
      TableInput: {
        Name: table.name,
        Description: table.description,
        TableType: 'EXTERNAL_TABLE',
        // Partitions are registered by the daily workflow, never discovered by a crawler.
        Parameters: { EXTERNAL: 'TRUE', ...format.Parameters },
        PartitionKeys,
        StorageDescriptor: {
          Columns,
          Location: { 'Fn::Sub': `s3://\${DataBucket}/${table.prefix}` },
          InputFormat: format.InputFormat,
          OutputFormat: format.OutputFormat,
          SerdeInfo: format.SerdeInfo,
        },
      },
    },
  };
}

/** Presto/Trino type names of the schema's column types, as Athena writes them into a view. */
const prestoTypes = { string: 'varchar', int: 'integer', bigint: 'bigint', double: 'double' };

/** The views the catalog can declare: their Athena DDL (from the one place that builds it). */
const views = {
  button_clicks: {
    description: 'Click rows in the columns a first tutorial uses (SPEC section 3)',
    ddl: () => tutorialViewDdl('button_clicks', 'athena'),
    // Output columns computed by an expression (not a column of the source table).
    computed: { timestamp: { type: 'string', comment: 'event_ts as ISO-8601 UTC text YYYY-MM-DDTHH:MM:SSZ' } },
  },
  conversions: {
    description: 'Conversion rows (posted conversions and WhatsApp orders) in the columns a first tutorial uses',
    ddl: () => tutorialViewDdl('conversions', 'athena'),
    computed: {
      timestamp: { type: 'string', comment: 'event_ts as ISO-8601 UTC text YYYY-MM-DDTHH:MM:SSZ' },
      conversion_id: { type: 'string', comment: 'the business conversion id (posted), the order message wamid (WhatsApp order)' },
    },
  },
};

/** `CREATE OR REPLACE VIEW db.name AS\n<select>` -> the SELECT. */
function viewSelect(name, ddl) {
  const header = `CREATE OR REPLACE VIEW ${databaseName}.${name} AS\n`;
  if (!ddl.startsWith(header)) throw new Error(`view ${name}: DDL does not start with "${header.trim()}"`);
  return ddl.slice(header.length);
}

/** Splits a select list on commas outside parentheses and quotes. */
function splitTopLevel(list) {
  const parts = [];
  let depth = 0;
  let quote = null;
  let start = 0;
  for (let i = 0; i < list.length; i += 1) {
    const c = list[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth += 1;
    else if (c === ')') depth -= 1;
    else if (c === ',' && depth === 0) {
      parts.push(list.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(list.slice(start));
  return parts.map((p) => p.trim());
}

/**
 * The source table and output columns of a view's `SELECT <list> FROM <db>.<table> ...`, each
 * with its schema type: a bare or aliased column of the source table keeps its type, an expression
 * must be declared in the view's `computed` types.
 */
function viewColumns(name, view, select) {
  const m = /^\s*SELECT\s+([\s\S]*?)\s+FROM\s+([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\b/i.exec(select);
  if (!m) throw new Error(`view ${name}: cannot read its select list and source table`);
  const source = tables[m[3]];
  if (!source) throw new Error(`view ${name}: reads ${m[3]}, which shared/schema/tables.ts does not define`);
  const sourceColumns = new Map([...source.columns, source.partition].map((c) => [c.name, c]));
  const columns = splitTopLevel(m[1]).map((item) => {
    const aliased = /^([\s\S]+?)\s+AS\s+"?([a-z_][a-z0-9_]*)"?$/i.exec(item);
    const expr = (aliased ? aliased[1] : item).trim();
    const column = (aliased ? aliased[2] : item).replace(/"/g, '');
    const sourceColumn = sourceColumns.get(expr.replace(/"/g, ''));
    const declared = sourceColumn ?? view.computed[column];
    if (!declared) throw new Error(`view ${name}: column ${column} is an expression with no declared type`);
    return { name: column, type: declared.type, comment: declared.comment };
  });
  return { source: source.name, columns };
}

/**
 * A Glue VIRTUAL_VIEW as Athena stores one: the Presto view JSON (original SQL, catalog, schema,
 * columns with Presto types) base64-encoded in ViewOriginalText, Hive types in the columns.
 * The SELECT is the workflow's own text, requalified to the stage's database.
 */
function glueView(name, glueDatabase) {
  const view = views[name];
  if (!view) throw new Error(`no view "${name}" in resources/catalog.cjs`);
  const original = viewSelect(name, view.ddl());
  const qualified = new RegExp(`\\b${databaseName}\\.`, 'g');
  const select = original.replace(qualified, `${glueDatabase}.`);
  if (select === original && glueDatabase !== databaseName) throw new Error(`view ${name}: its SELECT does not read ${databaseName}.<table>`);
  const { source, columns } = viewColumns(name, view, select);
  const presto = {
    originalSql: select,
    catalog: 'awsdatacatalog',
    schema: glueDatabase,
    columns: columns.map((c) => ({ name: c.name, type: prestoTypes[c.type] })),
    runAsInvoker: false,
    properties: {},
  };
  const resource = {
    Type: 'AWS::Glue::Table',
    Properties: {
      CatalogId: { Ref: 'AWS::AccountId' },
      DatabaseName: { Ref: 'GlueDatabase' },
      TableInput: {
        Name: name,
        Description: view.description,
        TableType: 'VIRTUAL_VIEW',
        Parameters: { presto_view: 'true', comment: 'Presto View' },
        PartitionKeys: [],
        ViewOriginalText: `/* Presto View: ${Buffer.from(JSON.stringify(presto), 'utf8').toString('base64')} */`,
        ViewExpandedText: '/* Presto View */',
        StorageDescriptor: {
          Columns: columns.map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })),
          SerdeInfo: {},
        },
      },
    },
  };
  return { source, resource };
}

/** The catalog resources for the named tables and views, in a database with the given name. */
function catalogResources(glueDatabase, tableNames, viewNames = []) {
  const resources = {
    GlueDatabase: {
      Type: 'AWS::Glue::Database',
      Properties: {
        CatalogId: { Ref: 'AWS::AccountId' },
        DatabaseInput: { Name: glueDatabase, Description: 'WhatsApp button analytics lake (wa-analytics)' },
      },
    },
  };
  for (const name of tableNames) {
    const table = tables[name];
    if (!table) throw new Error(`no table "${name}" in shared/schema/tables.ts`);
    resources[tableLogicalId(name)] = glueTable(table);
  }
  for (const name of viewNames) {
    const { source, resource } = glueView(name, glueDatabase);
    if (!tableNames.includes(source)) throw new Error(`view ${name} reads ${source}, which this catalog does not declare`);
    // A view is created after the table it reads.
    resources[tableLogicalId(name)] = { ...resource, DependsOn: [tableLogicalId(source)] };
  }
  return resources;
}

module.exports = {
  catalogResources,
  tableLogicalId,
  viewColumns,
  /** serverless.yml: `${file(./resources/catalog.cjs):cloudFormation}`: every table of the schema and every view. */
  async cloudFormation({ resolveVariable }) {
    const glueDatabase = await resolveVariable('param:glueDatabase');
    return { Resources: catalogResources(glueDatabase, Object.keys(tables), Object.keys(views)) };
  },
};
