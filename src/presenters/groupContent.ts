import type { Context } from '../context.js';
import { filesOfPosts } from '../db/repositories/groupFile.js';
import { videosOfPosts } from '../db/repositories/video.js';
import { groupFilePath } from '../graph/nodes/group_file/type.js';
import { videoPath } from '../graph/nodes/video/type.js';

/** A group file or a video as a member app post shows it. */
export interface PostContentView {
  files: { id: string; name: string; size: number; url: string; is_image: boolean }[];
  video: { id: string; title: string | null; source: string | null } | null;
}

/** The files and the video of each post, in two statements. */
export async function postContentOf(ctx: Context, postIds: readonly string[]): Promise<Map<string, PostContentView>> {
  const [files, videos] = await Promise.all([filesOfPosts(ctx.db, postIds), videosOfPosts(ctx.db, postIds)]);
  return new Map(
    postIds.map((id) => {
      const v = videos.get(id);
      return [
        id,
        {
          files: (files.get(id) ?? []).map((f) => ({ id: f.id, name: f.name, size: f.size, url: groupFilePath(ctx, f), is_image: f.mime_type.startsWith('image/') })),
          video: v ? { id: v.id, title: v.title, source: v.source_url ?? videoPath(ctx, v) } : null,
        },
      ];
    }),
  );
}
