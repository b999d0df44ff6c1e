"""Write-side services of the core app: every change is atomic and audited."""
