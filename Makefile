# Two commands for a fresh machine; each installs what is missing first.
.PHONY: serve test dist bench size

serve: ## install what is missing, then serve the app at http://127.0.0.1:8080
	scripts/setup.sh
	PATH="$(CURDIR)/node_modules/.bin:$$HOME/.cargo/bin:$$PATH" trunk serve

test: ## install what is missing (Chromium too), then run every test
	scripts/test.sh

dist: ## the release build in dist/, with its gzipped size (fails past the 530 KB budget)
	scripts/setup.sh
	scripts/build-release.sh

size: ## the largest parts of the page's wasm (twiggy top; installs twiggy if missing)
	scripts/size.sh

bench: ## criterion benchmarks of the world and the engine; the history (host and Chromium) and engine reports in target/
	cargo bench
	cargo run --release --example history
	scripts/setup.sh --browser
	scripts/bench-browser.sh
	cargo run --release --example engine
