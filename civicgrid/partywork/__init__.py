"""Party members and their contact households (党员联系户); in-service party members reporting in."""
