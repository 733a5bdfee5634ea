/**
 * The Glue catalog generated from the one schema (shared/schema): the database and one external
 * table per name in serverless.yml's `custom.catalogTables`. JSON tables read Firehose's gzip JSON
 * lines with the OpenX SerDe; Parquet tables are what the daily workflow's CTAS writes.
 */
const requireTs = require('./ts.cjs');

const { tables, glueTableColumns } = requireTs('../shared/schema/index.ts');

const formats = {
  json: {
    InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
    OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
    SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', Parameters: {} },
    Parameters: { classification: 'json', compressionType: 'gzip' },
  },
  parquet: {
    InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', Parameters: {} },
    Parameters: { classification: 'parquet', 'parquet.compression': 'SNAPPY' },
  },
};

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

/** The catalog resources for the named tables, in a database with the given name. */
function catalogResources(databaseName, tableNames) {
  const resources = {
    GlueDatabase: {
      Type: 'AWS::Glue::Database',
      Properties: {
        CatalogId: { Ref: 'AWS::AccountId' },
        DatabaseInput: { Name: databaseName, Description: 'WhatsApp button analytics lake (wa-analytics)' },
      },
    },
  };
  for (const name of tableNames) {
    const table = tables[name];
    if (!table) throw new Error(`custom.catalogTables names "${name}", which shared/schema/tables.ts does not define`);
    resources[tableLogicalId(name)] = glueTable(table);
  }
  return resources;
}

module.exports = {
  catalogResources,
  tableLogicalId,
  /** serverless.yml: `${file(./resources/catalog.cjs):cloudFormation}`. */
  async cloudFormation({ resolveVariable, resolveConfigurationProperty }) {
    const databaseName = await resolveVariable('param:glueDatabase');
    const tableNames = (await resolveConfigurationProperty(['custom', 'catalogTables'])) ?? [];
    return { Resources: catalogResources(databaseName, tableNames) };
  },
};
