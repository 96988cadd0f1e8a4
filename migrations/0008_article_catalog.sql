-- The tag relatedness corpus (src/screening/relatedness.ts) is rebuilt when an article is added or
-- changed. Every tag post asks whether that happened: a number bumped by every write to articles answers
-- in one row, where count(*) and max(updated_at) read every article (100k of them at a large site).
create table article_catalog (
  only_row boolean primary key default true check (only_row),
  version bigint not null
);
insert into article_catalog (version) values (0);

create function articles_bump_catalog() returns trigger
  language plpgsql
  as $$
  begin
    update article_catalog set version = version + 1;
    return null;
  end
  $$;

create trigger articles_bump_catalog
  after insert or update or delete on articles
  for each statement execute function articles_bump_catalog();

-- The corpus is the newest articles: found by index, not by sorting them all.
create index articles_by_update on articles (updated_at desc);
