/**
 * A bucket of objects by key: S3 on AWS, a folder on one machine. Keys use `/` separators and
 * never start with one. The workflow uses it to clear a partition before a rebuild and to keep
 * small marker objects (a digest already posted for a date).
 */
export interface ObjectStore {
  /** The object's text, or undefined when there is no such key. */
  getText(key: string): Promise<string | undefined>;
  /** Writes (or replaces) one object. */
  putText(key: string, body: string): Promise<void>;
  /** Deletes every object whose key starts with `prefix`; returns how many were deleted. */
  deletePrefix(prefix: string): Promise<number>;
}
