/** How an object is written: its media type, which S3 serves it with (a folder has none). */
export interface PutTextOptions {
  readonly contentType?: string;
}

/**
 * A bucket of objects by key: S3 on AWS, a folder on one machine. Keys use `/` separators and
 * never start with one. The workflow uses it to clear a partition before a rebuild, to keep
 * small marker objects (a digest already posted for a date) and to publish the day's dashboard.
 */
export interface ObjectStore {
  /** The object's text, or undefined when there is no such key. */
  getText(key: string): Promise<string | undefined>;
  /** Writes (or replaces) one object; `contentType` defaults to JSON (markers), the published report is HTML. */
  putText(key: string, body: string, options?: PutTextOptions): Promise<void>;
  /** Deletes every object whose key starts with `prefix`; returns how many were deleted. */
  deletePrefix(prefix: string): Promise<number>;
}
