-- Orders placed before multi-currency support were all in euros.
UPDATE orders
SET currency = 'EUR'
WHERE currency IS NULL;
