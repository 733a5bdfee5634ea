import { databaseName } from '../schema/tables';
import { createViewDdl, type Dialect, type DialectName } from './dialect';
import { renderSql } from './render';

/**
 * The tutorial views over the curated tables: each name and the query file of its SELECT. The
 * local engine defines them on every refresh; on AWS resources/catalog.cjs declares them in Glue.
 */
export const tutorialViews = { button_clicks: 'button-clicks-view', conversions: 'conversions-view' } as const;
export type TutorialView = keyof typeof tutorialViews;

/** `CREATE OR REPLACE VIEW` of a tutorial view for an engine, reading `database`'s tables. */
export function tutorialViewDdl(view: TutorialView, dialect: DialectName | Dialect, database: string = databaseName): string {
  const select = renderSql(tutorialViews[view], { database }, dialect);
  return createViewDdl(dialect, { database, view, select });
}
