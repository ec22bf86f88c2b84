import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { type ByteRange, type MediaStore, safeKey, type StoredFile } from './store.js';

/**
 * Files in any S3-compatible object store (`s3://bucket/prefix`). Endpoint, region and
 * credentials come from the AWS SDK's usual sources: AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL,
 * AWS_REGION, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles and instance roles. A custom
 * endpoint (MinIO, Ceph, R2…) is addressed path-style unless AWS_S3_FORCE_PATH_STYLE=0.
 */
export class S3Store implements MediaStore {
  readonly describe: string;
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {
    this.describe = `s3://${bucket}/${prefix}`;
  }

  static fromUrl(url: string, env: NodeJS.ProcessEnv = process.env): S3Store {
    const parsed = new URL(url);
    const bucket = parsed.hostname;
    if (!bucket) throw new Error(`no bucket in ${url}`);
    const prefix = parsed.pathname.replace(/^\/+/, '').replace(/\/*$/, '');
    const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
    const config: S3ClientConfig = {
      region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
      ...(endpoint ? { endpoint, forcePathStyle: env.AWS_S3_FORCE_PATH_STYLE !== '0' } : {}),
    };
    return new S3Store(new S3Client(config), bucket, prefix);
  }

  private objectKey(key: string): string {
    return this.prefix ? `${this.prefix}/${safeKey(key)}` : safeKey(key);
  }

  async put(key: string, data: Buffer, mimeType: string | null): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: data, ContentType: mimeType ?? 'application/octet-stream', ContentLength: data.length }));
  }

  async putFile(key: string, localPath: string, mimeType: string | null): Promise<void> {
    const { size } = await fsp.stat(localPath);
    const body = fs.createReadStream(localPath);
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: body, ContentType: mimeType ?? 'application/octet-stream', ContentLength: size }));
  }

  async get(key: string, range?: ByteRange): Promise<StoredFile | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
      // A ranged answer's Content-Range ends in the whole size (`bytes 0-9/1234`).
      const whole = range && object.ContentRange ? Number(object.ContentRange.split('/')[1]) : Number(object.ContentLength ?? 0);
      return { body: object.Body as Readable, size: whole };
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }
}
