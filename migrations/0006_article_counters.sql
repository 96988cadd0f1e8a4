-- What a reader of an article sees, counted with the writes that change it, so reading it costs a few
-- index rows instead of a count over every published comment:
--   published  the article's published comments;
--   changes    every change to what its public pages show (a comment published or taken down, a tag
--              published, removed or supported, a commenter's nickname shown or changed), so the public
--              GETs can answer an ETag from it, and 304 without reading a page.
-- Each article's counts are spread over a few shard rows (the writing connection picks one), so
-- comments posted at once on one busy article do not queue for one row's lock. Readers sum the shards.
create table article_counters (
  article_id text not null references articles (id) on delete cascade,
  shard smallint not null,
  published bigint not null default 0,
  changes bigint not null default 0,
  primary key (article_id, shard)
);

-- The shard a connection writes: one of eight by backend, so two connections rarely share a row.
create function article_counter_shard() returns smallint
  language sql volatile
  as $$ select (pg_backend_pid() % 8)::smallint $$;

-- plpgsql, so its statement is planned once per connection rather than at every call.
create function bump_article_counter(article text, published_delta bigint) returns void
  language plpgsql
  as $$
  begin
    insert into article_counters (article_id, shard, published, changes)
    values (article, article_counter_shard(), published_delta, 1)
    on conflict (article_id, shard) do update
      set published = article_counters.published + excluded.published,
          changes = article_counters.changes + 1;
  end
  $$;

-- A comment entering or leaving 'published' (posted, held on reports, removed, approved, reinstated on
-- appeal, deleted) moves the count; anything else a comment row does is not seen by readers.
create function comments_count_published() returns trigger
  language plpgsql
  as $$
  declare
    was boolean := tg_op in ('UPDATE', 'DELETE') and old.status = 'published';
    is_now boolean := tg_op in ('INSERT', 'UPDATE') and new.status = 'published';
  begin
    if was and not is_now then
      perform bump_article_counter(old.article_id, -1);
    elsif is_now and not was then
      perform bump_article_counter(new.article_id, 1);
    end if;
    return null;
  end
  $$;

create trigger comments_count_published
  after insert or update of status or delete on comments
  for each row execute function comments_count_published();

-- Tags shown on an article change its pages too (a new published tag, a removal, one more supporter).
create function tags_change_article() returns trigger
  language plpgsql
  as $$
  begin
    if tg_op = 'INSERT' and new.status = 'published'
       or tg_op = 'UPDATE' and (old.status = 'published') <> (new.status = 'published') then
      perform bump_article_counter(new.article_id, 0);
    end if;
    return null;
  end
  $$;

create trigger tags_change_article
  after insert or update of status on tags
  for each row execute function tags_change_article();

-- Every supporter counts, even of a tag still pending: a moderator may be publishing it at this moment,
-- unseen by this transaction, and a change missed here would leave the old list under a current ETag.
create function tag_supporters_change_article() returns trigger
  language plpgsql
  as $$
  begin
    perform bump_article_counter(t.article_id, 0) from tags t where t.id = new.tag_id;
    return null;
  end
  $$;

create trigger tag_supporters_change_article
  after insert on tag_supporters
  for each row execute function tag_supporters_change_article();

-- A commenter's nickname is shown beside their published comments: when it changes or is approved,
-- every article where they have one changes.
create function members_change_articles() returns trigger
  language plpgsql
  as $$
  begin
    if old.nickname is distinct from new.nickname or old.nickname_status is distinct from new.nickname_status then
      perform bump_article_counter(a.article_id, 0)
        from (select distinct article_id from comments where member_id = new.id and status = 'published') a;
    end if;
    return null;
  end
  $$;

create trigger members_change_articles
  after update of nickname, nickname_status on members
  for each row execute function members_change_articles();

-- The counts of the comments already stored.
insert into article_counters (article_id, shard, published, changes)
select article_id, 0, count(*), 1 from comments where status = 'published' group by article_id;
