-- wrk script: wrong-password sign-ins as a plain form post, as a guessing attacker sends them.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "text/html"
wrk.body = "email=owner%40bench.example&password=not+the+password"
