export function NotFound() {
  return (
    <section aria-labelledby="not-found">
      <h1 id="not-found">No such page</h1>
      <p>
        This address shows nothing. Go to <a href="/">your morning</a> or <a href="/team">the team board</a>.
      </p>
    </section>
  );
}
